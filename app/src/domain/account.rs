//! Account values, parsed at the edge: once a value of these types exists it is valid.

use serde::{Deserialize, Serialize};

use super::{AppError, UserRole};

/// One problem with one form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects the problems of a whole form, so every field's message can be shown at once.
#[derive(Debug, Default)]
pub struct FormCheck(Vec<FieldError>);

impl FormCheck {
    /// The parsed value, or `None` with the message recorded against `field`.
    pub fn field<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError {
                    field: field.to_owned(),
                    message,
                });
                None
            }
        }
    }

    /// All problems found, as one error.
    pub fn into_error(self) -> AppError {
        AppError::Invalid(self.0)
    }
}

/// An email address: trimmed, at most 254 characters, `local@domain.tld`. Compared without
/// regard to case (the database's unique index does the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        let invalid =
            || format!("{text:?} is not an email address; it should look like name@example.com.");
        if text.is_empty() {
            return Err("Enter your email address.".to_owned());
        }
        if text.chars().count() > 254 {
            return Err("An email address has at most 254 characters.".to_owned());
        }
        let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local.contains(char::is_whitespace)
            && !local.contains('@');
        if !(domain_ok && local_ok) {
            return Err(invalid());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
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

/// A one-time code: exactly six digits (spaces around it are forgiven).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpCode(String);

impl OtpCode {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if text.len() != 6 || !text.chars().all(|c| c.is_ascii_digit()) {
            return Err("Enter the 6-digit code from the email.".to_owned());
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
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
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
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

    #[test]
    fn codes() {
        assert_eq!(
            OtpCode::parse(" 123 456 ").map(|c| c.0),
            Ok("123456".to_owned())
        );
        assert!(OtpCode::parse("12345").is_err());
        assert!(OtpCode::parse("12345a").is_err());
    }
}
