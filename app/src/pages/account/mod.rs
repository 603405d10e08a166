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
