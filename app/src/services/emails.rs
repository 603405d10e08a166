//! The emails the clinic sends: each as a plain-text and an HTML part.

use super::accounts::CODE_LIFETIME;
use super::accounts::CodePurpose;
use super::outbox::OutgoingEmail;

/// The email carrying a one-time code.
pub fn code_email(to: &str, name: &str, purpose: CodePurpose, code: &str) -> OutgoingEmail {
    let (subject, why) = match purpose {
        CodePurpose::VerifyEmail => (
            "Confirm your email address",
            "to confirm your email address",
        ),
        CodePurpose::ResetPassword => ("Reset your password", "to choose a new password"),
        CodePurpose::ChangeEmail => (
            "Confirm your new email address",
            "to confirm your new email address",
        ),
    };
    let minutes = CODE_LIFETIME.num_minutes();
    let text = format!(
        "Hello {name},\n\nYour Clinic code is {code}\n\nEnter it {why}. It works for {minutes} minutes, once.\n\n\
         If you did not ask for it, ignore this email: nothing changes without the code.\n\n— Clinic\n"
    );
    let html = format!(
        "<p>Hello {name},</p>\
         <p>Your Clinic code is</p>\
         <p style=\"font-size:28px;font-weight:700;letter-spacing:4px;font-family:monospace\">{code}</p>\
         <p>Enter it {why}. It works for {minutes} minutes, once.</p>\
         <p>If you did not ask for it, ignore this email: nothing changes without the code.</p>\
         <p>— Clinic</p>",
        name = escape_html(name),
    );
    OutgoingEmail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

/// The welcome email of a doctor an admin has just onboarded: a link that opens the
/// password form with the code filled in, and the code itself for typing.
pub fn doctor_welcome_email(
    to: &str,
    name: &str,
    link: &str,
    code: &str,
    valid_days: i64,
) -> OutgoingEmail {
    let text = format!(
        "Hello {name},\n\nThe clinic has opened a Clinic account for you. Choose your password here:\n\n{link}\n\n\
         Or open the password page and enter this code with your email address: {code}\n\n\
         The link and code work for {valid_days} days, once. After that, use \"Forgot your password?\" on the sign-in page.\n\n— Clinic\n"
    );
    let html = format!(
        "<p>Hello {name},</p>\
         <p>The clinic has opened a Clinic account for you.</p>\
         <p><a href=\"{link}\" style=\"display:inline-block;padding:10px 18px;background:#0f766e;color:#fff;border-radius:6px;text-decoration:none\">Choose your password</a></p>\
         <p>Or open the password page and enter this code with your email address:</p>\
         <p style=\"font-size:28px;font-weight:700;letter-spacing:4px;font-family:monospace\">{code}</p>\
         <p>The link and code work for {valid_days} days, once. After that, use “Forgot your password?” on the sign-in page.</p>\
         <p>— Clinic</p>",
        name = escape_html(name),
        link = escape_html(link),
    );
    OutgoingEmail {
        to: to.to_owned(),
        subject: "Your Clinic account: choose a password".to_owned(),
        text,
        html,
    }
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_emails_carry_the_code_in_both_parts_and_escape_names() {
        let email = code_email(
            "ann@example.com",
            "Ann <b>",
            CodePurpose::VerifyEmail,
            "123456",
        );
        assert_eq!(email.subject, "Confirm your email address");
        assert!(email.text.contains("123456") && email.html.contains("123456"));
        assert!(email.html.contains("Ann &lt;b&gt;") && !email.html.contains("<b>"));
    }
}
