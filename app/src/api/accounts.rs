//! Server functions for accounts: register, verify the email, sign in and out, reset the
//! password, and the profile. Who is calling comes from [`super::caller`].

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::domain::{AppError, SessionUser};
#[cfg(feature = "ssr")]
use crate::services::rate_limits::Action;

#[cfg(feature = "ssr")]
use super::caller::{current_user, require_user, session};

/// Who is signed in (for the header and the pages). Public. A GET: it changes nothing, and a
/// POST would empty the server's page cache on every navigation of every signed-in person.
#[server(prefix = "/api", endpoint = "me", input = GetUrl)]
pub async fn get_current_user() -> Result<Option<SessionUser>, AppError> {
    current_user().await
}

#[server(prefix = "/api", endpoint = "register")]
pub async fn register(
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    password: String,
) -> Result<(), AppError> {
    super::rate_limit(Action::Register, None, Some(&email)).await?;
    let pool = super::pool()?;
    let settings = super::settings()?;
    let form = crate::services::accounts::Registration {
        username,
        email,
        first_name,
        last_name,
        phone,
        password,
    };
    let user = crate::services::accounts::register(&pool, form, chrono::Utc::now()).await?;
    // A new account is signed in at once; it can browse, but books only once verified.
    session::start(&session::current()?, user.id, 0, false, &settings).await?;
    leptos_axum::redirect("/verify-email");
    Ok(())
}

#[server(prefix = "/api", endpoint = "verify-email")]
pub async fn verify_email(code: String) -> Result<(), AppError> {
    let user = require_user().await?;
    super::rate_limit(Action::VerifyEmail, Some(user.id), None).await?;
    crate::services::accounts::verify_email(&super::pool()?, &user, &code, chrono::Utc::now())
        .await?;
    leptos_axum::redirect("/profile?verified=1");
    Ok(())
}

#[server(prefix = "/api", endpoint = "resend-code")]
pub async fn resend_code() -> Result<(), AppError> {
    let user = require_user().await?;
    super::rate_limit(Action::ResendCode, Some(user.id), Some(&user.email)).await?;
    crate::services::accounts::resend_verification(&super::pool()?, &user, chrono::Utc::now())
        .await?;
    super::notice::tell(crate::domain::outcomes::CODE_RESENT.to_owned()).await;
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign-in")]
pub async fn sign_in(
    identifier: String,
    password: String,
    #[server(default)] remember: Option<String>,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    super::rate_limit(Action::SignIn, None, None).await?;
    let pool = super::pool()?;
    let settings = super::settings()?;
    let signed_in = crate::services::accounts::sign_in(
        &pool,
        &identifier,
        &password,
        session::client_address(),
        chrono::Utc::now(),
    )
    .await
    .map_err(|err| match err {
        AppError::Forbidden => AppError::validation(
            "identifier",
            "This account has been deactivated. Please contact the clinic.",
        ),
        other => other,
    })?;
    session::start(
        &session::current()?,
        signed_in.user.id,
        signed_in.auth_epoch,
        remember.is_some(),
        &settings,
    )
    .await?;
    // Only a path on this site is followed, never another site (see `ReturnPath`).
    leptos_axum::redirect(crate::domain::ReturnPath::or_home(next.as_deref()).as_str());
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    session::end(&session::current()?).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Always answers the same, whether or not the address has an account.
#[server(prefix = "/api", endpoint = "forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    // The recipient is counted whether or not the address has an account, so the answer
    // still says nothing.
    super::rate_limit(Action::ForgotPassword, None, Some(&email)).await?;
    crate::services::accounts::request_password_reset(&super::pool()?, &email, chrono::Utc::now())
        .await?;
    super::notice::tell(crate::domain::outcomes::RESET_CODE_SENT.to_owned()).await;
    Ok(())
}

#[server(prefix = "/api", endpoint = "reset-password")]
pub async fn reset_password(email: String, code: String, password: String) -> Result<(), AppError> {
    super::rate_limit(Action::ResetPassword, None, None).await?;
    crate::services::accounts::reset_password(
        &super::pool()?,
        &email,
        &code,
        &password,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/sign-in?reset=1");
    Ok(())
}

#[server(prefix = "/api", endpoint = "profile")]
pub async fn update_profile(
    first_name: String,
    last_name: String,
    phone: String,
) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    let saved = crate::services::accounts::update_profile(
        &super::pool()?,
        user.id,
        &first_name,
        &last_name,
        &phone,
    )
    .await?;
    super::notice::tell(crate::domain::outcomes::DETAILS_SAVED.to_owned()).await;
    Ok(saved)
}

#[server(prefix = "/api", endpoint = "change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let user = require_user().await?;
    let epoch = crate::services::accounts::change_password(
        &super::pool()?,
        user.id,
        &current_password,
        &new_password,
    )
    .await?;
    session::renew(&session::current()?, epoch).await?;
    super::notice::tell(crate::domain::outcomes::PASSWORD_CHANGED.to_owned()).await;
    Ok(())
}

/// Sends a code to a new address; needs the account's password, not only an open session.
#[server(prefix = "/api", endpoint = "change-email")]
pub async fn request_email_change(email: String, password: String) -> Result<(), AppError> {
    let user = require_user().await?;
    super::rate_limit(Action::ChangeEmail, Some(user.id), Some(&email)).await?;
    crate::services::accounts::request_email_change(
        &super::pool()?,
        &user,
        &email,
        &password,
        chrono::Utc::now(),
    )
    .await
}

#[server(prefix = "/api", endpoint = "confirm-email")]
pub async fn confirm_email_change(code: String) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    super::rate_limit(Action::VerifyEmail, Some(user.id), None).await?;
    crate::services::accounts::confirm_email_change(
        &super::pool()?,
        user.id,
        &code,
        chrono::Utc::now(),
    )
    .await
}
