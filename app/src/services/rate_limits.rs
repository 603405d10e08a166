//! Rate limits on the actions worth abusing (signing in, registering, codes, mail, booking):
//! per client address, per account or recipient where that is what is abused, and overall.
//!
//! Counters live in PostgreSQL so every server instance counts together. A counter is one row
//! per bucket and fixed window; counting and checking are one `INSERT ... ON CONFLICT DO
//! UPDATE ... RETURNING`, so parallel requests cannot all slip under the limit. A refused
//! request is counted too: hammering a limit does not reopen it sooner.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::AppError;

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    Register,
    VerifyEmail,
    ResendCode,
    ForgotPassword,
    ResetPassword,
    ChangeEmail,
    Book,
}

/// One limit: at most `limit` in every `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub limit: i32,
    pub window_secs: i64,
}

const fn per(limit: i32, window_secs: i64) -> Rule {
    Rule { limit, window_secs }
}

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;

impl Action {
    fn name(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Register => "register",
            Self::VerifyEmail => "verify_email",
            Self::ResendCode => "resend_code",
            Self::ForgotPassword => "forgot_password",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
            Self::Book => "book",
        }
    }

    /// Per client address. Generous enough for a household or an office behind one address;
    /// tight enough that one machine cannot script the action.
    pub fn per_address(self) -> Rule {
        match self {
            Self::SignIn => per(30, MINUTE),
            Self::Register => per(10, HOUR),
            Self::VerifyEmail => per(30, 10 * MINUTE),
            Self::ResendCode => per(10, HOUR),
            Self::ForgotPassword => per(10, HOUR),
            Self::ResetPassword => per(20, HOUR),
            Self::ChangeEmail => per(10, HOUR),
            Self::Book => per(60, MINUTE),
        }
    }

    /// Per signed-in account (for the actions of someone signed in), or `None`.
    pub fn per_account(self) -> Option<Rule> {
        match self {
            Self::VerifyEmail => Some(per(20, 10 * MINUTE)),
            Self::ResendCode => Some(per(5, HOUR)),
            Self::ChangeEmail => Some(per(5, HOUR)),
            Self::Book => Some(per(30, 10 * MINUTE)),
            _ => None,
        }
    }

    /// Over the whole clinic: the ceiling on mail sent and passwords hashed for strangers.
    pub fn overall(self) -> Rule {
        match self {
            Self::SignIn => per(3_000, MINUTE),
            Self::Register => per(300, 10 * MINUTE),
            Self::VerifyEmail => per(3_000, 10 * MINUTE),
            Self::ResendCode => per(600, 10 * MINUTE),
            Self::ForgotPassword => per(300, 10 * MINUTE),
            Self::ResetPassword => per(600, 10 * MINUTE),
            Self::ChangeEmail => per(300, 10 * MINUTE),
            Self::Book => per(30_000, MINUTE),
        }
    }
}

/// Mail to one address, whatever sends it (registration, codes, resets, email changes): a
/// stranger's inbox cannot be flooded through us.
pub const PER_RECIPIENT: Rule = per(5, HOUR);

/// Who is acting, as far as the limits are concerned.
#[derive(Debug, Clone, Copy, Default)]
pub struct Actor<'a> {
    pub address: Option<IpAddr>,
    pub account: Option<i64>,
    /// The address the action emails, counted against [`PER_RECIPIENT`].
    pub recipient: Option<&'a str>,
}

/// Whether limits are enforced (`CLINIC_RATE_LIMITS`; off only for load tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enforcement {
    On,
    Off,
}

/// Counts one `action` by `actor` (and one email to its recipient) and refuses it when any of
/// its limits is exceeded. Every bucket is counted in one statement.
pub async fn check(
    pool: &PgPool,
    enforcement: Enforcement,
    action: Action,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let name = action.name();
    let mut buckets = vec![(format!("{name}:all"), action.overall())];
    if let Some(address) = actor.address {
        buckets.push((
            format!("{name}:ip:{}", address.to_canonical()),
            action.per_address(),
        ));
    }
    if let (Some(account), Some(rule)) = (actor.account, action.per_account()) {
        buckets.push((format!("{name}:user:{account}"), rule));
    }
    if let Some(recipient) = actor.recipient {
        // Addresses have at most 254 characters; anything longer is refused later, and must
        // not make a bucket name the table refuses. The same inbox however it is written.
        let address: String = recipient.trim().to_lowercase().chars().take(254).collect();
        buckets.push((format!("mail:{address}"), PER_RECIPIENT));
    }
    count(pool, enforcement, &buckets, now).await
}

/// Adds one to each bucket's current window; the longest wait among the exceeded ones is the
/// answer's `Retry-After`.
async fn count(
    pool: &PgPool,
    enforcement: Enforcement,
    buckets: &[(String, Rule)],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if enforcement == Enforcement::Off {
        return Ok(());
    }
    let names: Vec<&str> = buckets.iter().map(|(name, _)| name.as_str()).collect();
    let windows: Vec<DateTime<Utc>> = buckets
        .iter()
        .map(|(_, rule)| window_start(now, rule.window_secs))
        .collect();
    let counts: Vec<(String, i32)> = sqlx::query_as(
        "INSERT INTO rate_limit_counters (bucket, window_start, hits)
         SELECT bucket, window_start, 1 FROM unnest($1::text[], $2::timestamptz[]) AS b (bucket, window_start)
         ORDER BY bucket
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
         RETURNING bucket, hits",
    )
    .bind(&names)
    .bind(&windows)
    .fetch_all(pool)
    .await?;
    let wait = buckets
        .iter()
        .zip(&windows)
        .filter(|((name, rule), _)| {
            counts
                .iter()
                .any(|(counted, hits)| counted == name && *hits > rule.limit)
        })
        .map(|((_, rule), start)| {
            (*start + chrono::Duration::seconds(rule.window_secs) - now).num_seconds()
        })
        .max();
    match wait {
        Some(wait) => Err(AppError::RateLimited {
            retry_after_secs: wait.max(1) as u64,
        }),
        None => Ok(()),
    }
}

/// The start of the fixed window of `window_secs` that holds `now`.
fn window_start(now: DateTime<Utc>, window_secs: i64) -> DateTime<Utc> {
    let seconds = now.timestamp();
    let start = seconds - seconds.rem_euclid(window_secs);
    DateTime::from_timestamp(start, 0).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_and_hold_now() {
        let now = DateTime::from_timestamp(1_700_000_123, 0).expect("instant");
        let start = window_start(now, 60);
        assert_eq!(start.timestamp(), 1_700_000_100);
        assert!(start <= now && now < start + chrono::Duration::seconds(60));
    }

    #[test]
    fn every_action_has_limits_that_let_a_person_through() {
        for action in [
            Action::SignIn,
            Action::Register,
            Action::VerifyEmail,
            Action::ResendCode,
            Action::ForgotPassword,
            Action::ResetPassword,
            Action::ChangeEmail,
            Action::Book,
        ] {
            let address = action.per_address();
            assert!(address.limit >= 5, "{action:?}");
            assert!(action.overall().limit > address.limit, "{action:?}");
        }
    }
}
