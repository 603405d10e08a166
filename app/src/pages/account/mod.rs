//! Account pages: register, verify the email, sign in, reset the password, the profile, and the
//! page after deleting the account.

mod deleted;
mod password_reset;
mod profile;
mod register;
mod sign_in;
mod verify_email;

pub use deleted::AccountDeletedPage;
pub use password_reset::{ForgotPasswordPage, ResetPasswordPage};
pub use profile::ProfilePage;
pub use register::RegisterPage;
pub use sign_in::SignInPage;
pub use verify_email::VerifyEmailPage;
