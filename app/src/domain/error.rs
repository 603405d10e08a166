//! The one error type every server function returns: variants a person can act on, plus one
//! opaque `Internal` whose details stay in the server log.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// An input was rejected; `field` names the form field so the message can sit beside it.
    #[error("{message}")]
    Validation { field: String, message: String },
    /// Several fields were rejected at once (a whole form); each message sits beside its field.
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<super::forms::FieldError>),
    #[error("{0} was not found.")]
    NotFound(String),
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// The request clashed with the current state (a taken slot, a duplicate name, ...).
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Try again in {}.", wait_in_words(*.retry_after_secs))]
    RateLimited { retry_after_secs: u64 },
    /// The account's email address is not confirmed yet, which booking requires.
    #[error("Please confirm your email address first: enter the code we emailed you.")]
    EmailNotVerified,
    /// Something failed on our side. The details are logged with `reference`; the browser only
    /// ever sees the reference, which support can look up.
    #[error("Something went wrong on our side (reference {reference}). Please try again.")]
    Internal { reference: String },
    /// The server cannot reach its database for the moment (a restart, a failover): nothing
    /// was done, and trying again shortly will work.
    #[error(
        "The clinic's records cannot be reached right now. Nothing was changed; please try again in a minute."
    )]
    Unavailable,
    /// The browser could not reach the server, or could not read its answer.
    #[error("The server could not be reached ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    /// The message for `field`, when this error is about that form field.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            Self::Validation { field: f, message } if f == field => Some(message.clone()),
            Self::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// The HTTP status that says the same thing (server functions answer with it).
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Validation { .. } | Self::Invalid(_) => 422,
            Self::NotFound(_) => 404,
            Self::Unauthenticated => 401,
            Self::Forbidden | Self::EmailNotVerified => 403,
            Self::Conflict(_) => 409,
            Self::RateLimited { .. } => 429,
            Self::Internal { .. } => 500,
            Self::Unavailable => 503,
            Self::Transport(_) => 502,
        }
    }

    /// True when the error belongs beside a field rather than at the top of a form.
    pub fn is_about_fields(&self) -> bool {
        matches!(self, Self::Validation { field, .. } if !field.is_empty())
            || matches!(self, Self::Invalid(_))
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Logs `cause` with a fresh reference and returns the opaque error that carries it.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let reference = new_reference();
        tracing::error!(%reference, %cause, "internal error");
        Self::Internal { reference }
    }
}

/// "45 seconds", "1 minute", "10 minutes": how long to wait, as a person would say it.
fn wait_in_words(seconds: u64) -> String {
    match seconds {
        0..=1 => "1 second".to_owned(),
        2..=119 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

/// A short random reference a person can read out to support.
#[cfg(feature = "ssr")]
fn new_reference() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:08x}",
        (nanos ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)) as u32
    )
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => Self::NotFound("The record".to_owned()),
            other if database_is_away(&other) => {
                tracing::warn!(cause = %other, "the database is away; answering 503");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

/// True when `err` says the database could not be reached or went away mid-request (a
/// restart, a failover, a full pool), not that the request itself was wrong. PostgreSQL rolls
/// back a transaction whose connection breaks (only a break during COMMIT itself leaves the
/// outcome open, and money and booking requests carry request keys, so trying again never
/// applies one twice): "try again shortly" is the truth, and the answer is the same 503 the
/// availability gate gives once it has noticed.
#[cfg(feature = "ssr")]
fn database_is_away(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exceptions; 57P01..57P03: the server is shutting down or
        // starting up.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(msg) | E::MissingArg(msg) => Self::validation("", msg),
            E::Request(msg) | E::Deserialization(msg) | E::Serialization(msg) => {
                Self::Transport(msg)
            }
            other => {
                #[cfg(feature = "ssr")]
                {
                    Self::internal(other)
                }
                #[cfg(not(feature = "ssr"))]
                {
                    Self::Transport(other.to_string())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_said_in_words() {
        let message = |secs| {
            AppError::RateLimited {
                retry_after_secs: secs,
            }
            .to_string()
        };
        assert_eq!(message(40), "Too many attempts. Try again in 40 seconds.");
        assert_eq!(message(600), "Too many attempts. Try again in 10 minutes.");
        assert_eq!(message(601), "Too many attempts. Try again in 11 minutes.");
    }
}
