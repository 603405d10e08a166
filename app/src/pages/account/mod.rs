//! Account pages: register, verify the email, sign in, reset the password, the profile.

mod password_reset;
mod profile;
mod register;
mod sign_in;
mod verify_email;

pub use password_reset::{ForgotPasswordPage, ResetPasswordPage};
pub use profile::ProfilePage;
pub use register::RegisterPage;
pub use sign_in::SignInPage;
pub use verify_email::VerifyEmailPage;

use leptos::prelude::*;

use crate::components::guards::SignedIn;
use crate::domain::AppError;

/// The error of an action's last submission.
fn last_error<T: 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

/// Percent-encodes `text` for a query-string value.
pub(crate) fn encode_query(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}
