//! Server functions for accounts, and the one helper every server function uses to learn who
//! is calling (`current_user`, `require_user`, `require`).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::UserRole;
use crate::domain::{AppError, SessionUser};
#[cfg(feature = "ssr")]
use crate::services::rate_limits::Action;

#[cfg(feature = "ssr")]
mod session {
    //! What the session stores, and the checks made on every request.
    //!
    //! A session ends after `session_idle` without a request, or `session_absolute` after
    //! sign-in however active ("keep me signed in": both are `session_remember`). Without
    //! "keep me signed in" the cookie has no expiry, so it also ends with the browser. The
    //! idle clock is kept in the session itself and moved on at most once a minute, so an
    //! active session is written once a minute rather than on every request.

    use chrono::Utc;
    use tower_sessions::{Expiry, Session};

    use crate::domain::{AppError, SessionUser};
    use crate::services::{ClinicSettings, accounts};

    const USER_ID: &str = "user_id";
    const AUTH_EPOCH: &str = "auth_epoch";
    const SIGNED_IN_AT: &str = "signed_in_at";
    const LAST_SEEN: &str = "last_seen";
    const REMEMBER: &str = "remember";

    /// How stale the idle clock may get before a request moves it on (and saves the session).
    const TOUCH_AFTER_SECS: i64 = 60;

    fn internal(err: tower_sessions::session::Error) -> AppError {
        AppError::internal(err)
    }

    /// The session of the current request (the server's session layer put it there).
    pub fn current() -> Result<Session, AppError> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Session>().cloned())
            .ok_or_else(|| AppError::internal("no session layer in front of this request"))
    }

    /// The client's address, when the server knows it.
    pub fn client_address() -> Option<std::net::IpAddr> {
        leptos::prelude::use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .extensions
                .get::<super::ClientAddress>()
                .map(|address| address.0)
        })
    }

    /// Starts a signed-in session under a fresh id (so an id planted before sign-in is useless).
    pub async fn start(
        session: &Session,
        user_id: i64,
        auth_epoch: i32,
        remember: bool,
        settings: &ClinicSettings,
    ) -> Result<(), AppError> {
        let now = Utc::now().timestamp();
        session.cycle_id().await.map_err(internal)?;
        session.insert(USER_ID, user_id).await.map_err(internal)?;
        session
            .insert(AUTH_EPOCH, auth_epoch)
            .await
            .map_err(internal)?;
        session.insert(SIGNED_IN_AT, now).await.map_err(internal)?;
        session.insert(LAST_SEEN, now).await.map_err(internal)?;
        session.insert(REMEMBER, remember).await.map_err(internal)?;
        // A remembered session's cookie lasts as long as the session may; any other cookie
        // ends with the browser (the idle limit is checked here, on the server, either way).
        session.set_expiry(Some(if remember {
            Expiry::OnInactivity(settings.session_remember)
        } else {
            Expiry::OnSessionEnd
        }));
        Ok(())
    }

    /// Moves the session to a new epoch and id after a privilege change (a new password).
    pub async fn renew(session: &Session, auth_epoch: i32) -> Result<(), AppError> {
        session.cycle_id().await.map_err(internal)?;
        session
            .insert(AUTH_EPOCH, auth_epoch)
            .await
            .map_err(internal)
    }

    pub async fn end(session: &Session) -> Result<(), AppError> {
        session.flush().await.map_err(internal)
    }

    /// The signed-in user, or `None`. A session idle or past its absolute lifetime, of a
    /// deactivated account, or from before a password change is ended here; a live one has
    /// its idle clock moved on.
    pub async fn user(
        session: &Session,
        pool: &sqlx::PgPool,
        settings: &ClinicSettings,
    ) -> Result<Option<SessionUser>, AppError> {
        let Some(user_id) = session.get::<i64>(USER_ID).await.map_err(internal)? else {
            return Ok(None);
        };
        let epoch = session
            .get::<i32>(AUTH_EPOCH)
            .await
            .map_err(internal)?
            .unwrap_or(-1);
        let signed_in_at = session
            .get::<i64>(SIGNED_IN_AT)
            .await
            .map_err(internal)?
            .unwrap_or(0);
        let last_seen = session
            .get::<i64>(LAST_SEEN)
            .await
            .map_err(internal)?
            .unwrap_or(signed_in_at);
        let remember = session
            .get::<bool>(REMEMBER)
            .await
            .map_err(internal)?
            .unwrap_or(false);
        let (idle, absolute) = if remember {
            (
                settings.session_remember,
                settings.session_remember_absolute,
            )
        } else {
            (settings.session_idle, settings.session_absolute)
        };
        let now = Utc::now().timestamp();
        let live = now.saturating_sub(signed_in_at) <= absolute.whole_seconds()
            && now.saturating_sub(last_seen) <= idle.whole_seconds();
        let user = if live {
            accounts::session_user(pool, user_id, epoch).await?
        } else {
            None
        };
        match &user {
            None => end(session).await?,
            Some(_) if now.saturating_sub(last_seen) >= TOUCH_AFTER_SECS => {
                session.insert(LAST_SEEN, now).await.map_err(internal)?;
            }
            Some(_) => {}
        }
        Ok(user)
    }
}

/// The address a request came from; the server's router puts it into each request.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The address this request came from, when the server knows it.
#[cfg(feature = "ssr")]
pub(crate) fn client_address() -> Option<std::net::IpAddr> {
    session::client_address()
}

/// The signed-in user, or `None` for a visitor.
#[cfg(feature = "ssr")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    session::user(&session::current()?, &super::pool()?, &super::settings()?).await
}

/// The signed-in user of `session` when they have `role`, for plain axum handlers (downloads)
/// that run outside a server function: the same checks as [`require`].
#[cfg(feature = "ssr")]
pub async fn require_in_session(
    session: &tower_sessions::Session,
    pool: &sqlx::PgPool,
    settings: &crate::services::ClinicSettings,
    role: UserRole,
) -> Result<SessionUser, AppError> {
    let user = session::user(session, pool, settings)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    user.require(role)?;
    Ok(user)
}

/// The signed-in user; refuses visitors.
#[cfg(feature = "ssr")]
pub async fn require_user() -> Result<SessionUser, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in user when they have `role`; refuses everyone else.
#[cfg(feature = "ssr")]
pub async fn require(role: UserRole) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    user.require(role)?;
    Ok(user)
}

/// A patient whose email address is confirmed (booking and paying require one).
#[cfg(feature = "ssr")]
pub async fn require_verified_patient() -> Result<SessionUser, AppError> {
    let user = require(UserRole::Patient).await?;
    if !user.email_verified {
        return Err(AppError::EmailNotVerified);
    }
    Ok(user)
}

/// Who is signed in (for the header and the pages). Public.
#[server(prefix = "/api", endpoint = "me")]
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
    crate::services::accounts::resend_verification(&super::pool()?, &user, chrono::Utc::now()).await
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
    crate::services::accounts::update_profile(
        &super::pool()?,
        user.id,
        &first_name,
        &last_name,
        &phone,
    )
    .await
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
    session::renew(&session::current()?, epoch).await
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
