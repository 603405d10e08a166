//! Account values, parsed at the edge: once a value of these types exists it is valid.

use serde::{Deserialize, Serialize};

use super::{AppError, UserRole};

/// An email address: trimmed, at most 254 characters, `local@domain.tld`, in plain ASCII.
/// Compared without regard to case (the database's unique index does the same).
///
/// The rule is deliberately narrower than RFC 5322 so that every address it accepts is one the
/// mailer (lettre's `Address`, over SMTP without the SMTPUTF8 extension) can send to: a local
/// part of 1 to 64 ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~`` in dot-separated runs (no
/// quoted forms, no comments), and a domain name of at least two labels of letters, digits and
/// inner hyphens, 1 to 63 characters each (an international domain in its `xn--` form). The
/// server's tests run many candidate strings through both to prove it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

/// The longest address: the `users.email` and `email_outbox.to_address` columns' `VARCHAR(254)`.
pub const MAX_EMAIL_CHARS: usize = 254;

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        let invalid =
            || format!("{text:?} is not an email address; it should look like name@example.com.");
        if text.is_empty() {
            return Err("Enter your email address.".to_owned());
        }
        if text.chars().count() > MAX_EMAIL_CHARS {
            return Err(format!(
                "An email address has at most {MAX_EMAIL_CHARS} characters."
            ));
        }
        if !text.is_ascii() {
            return Err(format!(
                "{text:?} has letters our mail server cannot send to; write the address in plain \
                 letters (for an international domain, its xn-- form)."
            ));
        }
        let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
        if !(is_dot_atom(local) && local.len() <= 64 && is_domain_name(domain)) {
            return Err(invalid());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `ann.lee+news`: dot-separated runs of RFC 5322 `atext`, ASCII only.
fn is_dot_atom(local: &str) -> bool {
    local.split('.').all(|atom| {
        !atom.is_empty()
            && atom
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b))
    })
}

/// `mail.example.org`: two or more labels of ASCII letters, digits and inner hyphens.
fn is_domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A phone number in international form, stored as `+` and 8 to 15 digits. Spaces and dashes
/// are allowed on input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, String> {
        let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = compact.strip_prefix('+').unwrap_or("");
        if !compact.starts_with('+')
            || !digits.chars().all(|c| c.is_ascii_digit())
            || !(8..=15).contains(&digits.len())
        {
            return Err("Enter the number in international form: + and 8 to 15 digits, such as +44 20 7946 0000.".to_owned());
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A username: 3 to 150 letters, digits, dots, dashes or underscores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        let length = text.chars().count();
        if !(3..=150).contains(&length) {
            return Err("A username has 3 to 150 characters.".to_owned());
        }
        if !text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err("Use only letters, digits, dots, dashes and underscores.".to_owned());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest first or last name: the `users.first_name` / `last_name` columns'
/// `VARCHAR(150)`.
pub const MAX_NAME_CHARS: usize = 150;

/// A person's first or last name: present, at most [`MAX_NAME_CHARS`] characters, on one line
/// (no control characters). `what` is "first name" or "last name".
pub fn parse_name(input: &str, what: &str) -> Result<String, String> {
    super::text::parse_line(input, MAX_NAME_CHARS, &format!("Your {what}"))
}

/// A new password's length rule (8 to 128 characters, no composition rules). The server also
/// refuses the 10,000 most common passwords.
pub fn check_password_length(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < 8 {
        return Err("Use at least 8 characters.".to_owned());
    }
    if length > 128 {
        return Err("Use at most 128 characters.".to_owned());
    }
    Ok(())
}

/// The signed-in person, as pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub role: UserRole,
    pub email_verified: bool,
}

impl SessionUser {
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name);
        if name.trim().is_empty() {
            self.username.clone()
        } else {
            name.trim().to_owned()
        }
    }

    /// Refuses unless this user has `role`.
    pub fn require(&self, role: UserRole) -> Result<(), AppError> {
        if self.role == role {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl TryFrom<String> for UserRole {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse("  Ann@Example.com ").map(|e| e.0),
            Ok("Ann@Example.com".to_owned())
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@exa mple.com",
            "a b@example.com",
            "ann@.com",
            // Accepted once, yet the mailer cannot send to them:
            "ann..lee@example.com",
            ".ann@example.com",
            "a(b)@example.com",
            "a,b@example.com",
            "\"ann lee\"@example.com",
            "ann@-example.com",
            "ann@example-.com",
            "jörg@example.com",
            "ann@bücher.de",
            "ann@exa_mple.com",
            "ann@[127.0.0.1]",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        let long_label = format!("ann@{}.com", "a".repeat(64));
        assert!(Email::parse(&long_label).is_err());
        for good in [
            "o'brien+clinic@mail.example.co.uk",
            "a@b.io",
            "x@xn--bcher-kva.de",
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?} refused");
        }
        assert!(
            Email::parse("ann@bücher.de")
                .expect_err("IDN")
                .contains("xn--")
        );
    }

    #[test]
    fn phones_are_normalised() {
        assert_eq!(
            Phone::parse("+44 20-7946 0000").map(|p| p.0),
            Ok("+442079460000".to_owned())
        );
        for bad in [
            "",
            "442079460000",
            "+1234567",
            "+1234567890123456",
            "+44 20 ABCD 0000",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Phone::parse("+12345678").is_ok());
        assert!(Phone::parse("+123456789012345").is_ok());
    }

    #[test]
    fn usernames() {
        assert!(Username::parse("ann.lee-2_b").is_ok());
        assert!(Username::parse("an").is_err());
        assert!(Username::parse("ann lee").is_err());
        assert!(Username::parse(&"a".repeat(151)).is_err());
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        assert!(check_password_length("1234567").is_err());
        assert!(check_password_length("éééééééé").is_ok());
        assert!(check_password_length(&"x".repeat(128)).is_ok());
        assert!(check_password_length(&"x".repeat(129)).is_err());
    }
}
