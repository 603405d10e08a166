//! Server functions, one file per feature. Each is thin: who is calling, may they, parse the
//! input, call a service. They run on the server; the browser calls them over HTTP.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod booking;
#[cfg(feature = "ssr")]
pub mod caller;
pub mod dashboards;
pub mod directory;
#[cfg(feature = "ssr")]
pub mod notice;
pub mod oversight;
pub mod practice;
pub mod privacy;
pub mod reviews;
pub mod slots;
pub mod specialties;
pub mod users;
pub mod wallet;

#[cfg(feature = "ssr")]
use crate::domain::AppError;

/// The database pool the server put into the request's context.
#[cfg(feature = "ssr")]
pub(crate) fn pool() -> Result<sqlx::PgPool, AppError> {
    leptos::prelude::use_context::<sqlx::PgPool>()
        .ok_or_else(|| AppError::internal("the database pool is missing from the request context"))
}

/// The clinic-wide settings the server put into the request's context.
#[cfg(feature = "ssr")]
pub(crate) fn settings() -> Result<crate::services::ClinicSettings, AppError> {
    leptos::prelude::use_context::<crate::services::ClinicSettings>().ok_or_else(|| {
        AppError::internal("the clinic settings are missing from the request context")
    })
}

/// Counts `action` for this request's client address (and `account`, when someone is signed
/// in, and `recipient`, when the action sends mail) and refuses it past its rate limits.
#[cfg(feature = "ssr")]
pub(crate) async fn rate_limit(
    action: crate::services::rate_limits::Action,
    account: Option<i64>,
    recipient: Option<&str>,
) -> Result<(), AppError> {
    let actor = crate::services::rate_limits::Actor {
        address: caller::client_address(),
        account,
        recipient,
    };
    crate::services::rate_limits::check(
        &pool()?,
        settings()?.rate_limits,
        action,
        actor,
        chrono::Utc::now(),
    )
    .await
}
