//! One-time codes: what a code proves, the shape a person types it in, and how long and how
//! often it works. The services issue and redeem them; the email templates quote these rules.

use chrono::Duration;
use serde::{Deserialize, Serialize};

/// How long a one-time code works.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Wrong tries before a code stops working.
pub const CODE_MAX_ATTEMPTS: i16 = 5;
/// The shortest wait between two codes for the same purpose.
pub const RESEND_COOLDOWN: Duration = Duration::seconds(60);

/// What a one-time code proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
}

impl CodePurpose {
    /// The name stored in `otp_verifications.purpose`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
