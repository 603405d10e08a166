//! Who is calling: the session's user, and the checks every server function makes first
//! (`current_user`, `require_user`, `require`). Server-side only.

use crate::domain::{AppError, SessionUser, UserRole};

pub(crate) mod session {
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

    const USER_ID: &str = accounts::SESSION_USER_KEY;
    const AUTH_EPOCH: &str = "auth_epoch";
    const SIGNED_IN_AT: &str = "signed_in_at";
    const LAST_SEEN: &str = "last_seen";
    const REMEMBER: &str = "remember";

    /// How stale the idle clock may get before a request moves it on (and saves the session).
    const TOUCH_AFTER_SECS: i64 = 60;

    /// A session that cannot be read or written. The store is the database, so a backend error
    /// is the database being away (a restart, a failover): the same 503 as every other
    /// request then gets, not a 500.
    fn internal(err: tower_sessions::session::Error) -> AppError {
        use tower_sessions::session::Error;
        use tower_sessions::session_store::Error as StoreError;
        match err {
            Error::Store(StoreError::Backend(cause)) => {
                tracing::warn!(%cause, "the session store is away; answering 503");
                AppError::Unavailable
            }
            other => AppError::internal(other),
        }
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
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The address this request came from, when the server knows it.
pub(crate) fn client_address() -> Option<std::net::IpAddr> {
    session::client_address()
}

/// Who a page is rendered for. The server's page layer looks the session's user up before the
/// page renders and puts this into the request, so the page knows without waiting (see
/// `components::viewer`).
#[derive(Debug, Clone)]
pub struct PageViewer(pub Option<SessionUser>);

/// The person the current page is rendered for; `None` for a visitor, and outside a page.
pub fn page_viewer() -> Option<SessionUser> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageViewer>().cloned())
        .and_then(|viewer| viewer.0)
}

/// The signed-in user of `session`, or `None`, with the same checks as every server function
/// (for the server's page layer, which runs before a page's context exists).
pub async fn user_in_session(
    session: &tower_sessions::Session,
    pool: &sqlx::PgPool,
    settings: &crate::services::ClinicSettings,
) -> Result<Option<SessionUser>, AppError> {
    session::user(session, pool, settings).await
}

/// The signed-in user, or `None` for a visitor.
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    session::user(&session::current()?, &super::pool()?, &super::settings()?).await
}

/// The signed-in user of `session` when they have `role`, for plain axum handlers (downloads)
/// that run outside a server function: the same checks as [`require`].
pub async fn require_in_session(
    session: &tower_sessions::Session,
    pool: &sqlx::PgPool,
    settings: &crate::services::ClinicSettings,
    role: UserRole,
) -> Result<SessionUser, AppError> {
    let user = user_in_session(session, pool, settings)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    user.require(role)?;
    Ok(user)
}

/// The signed-in user; refuses visitors.
pub async fn require_user() -> Result<SessionUser, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in user when they have `role`; refuses everyone else.
pub async fn require(role: UserRole) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    user.require(role)?;
    Ok(user)
}

/// A patient whose email address is confirmed (booking and paying require one).
pub async fn require_verified_patient() -> Result<SessionUser, AppError> {
    let user = require(UserRole::Patient).await?;
    if !user.email_verified {
        return Err(AppError::EmailNotVerified);
    }
    Ok(user)
}
