//! Rate limits on the actions worth abusing (signing in, registering, codes, mail, booking):
//! per client address, per account or recipient where that is what is abused, and overall.
//!
//! Counters live in PostgreSQL so every server instance counts together. A counter is one row
//! per bucket and fixed window; counting and checking are one `INSERT ... ON CONFLICT DO
//! UPDATE ... RETURNING`, so parallel requests cannot all slip under the limit. A refused
//! request is counted too: hammering a limit does not reopen it sooner.
//!
//! The limit holds over a sliding window: the previous window's hits count in proportion to how
//! much of it the sliding window still covers. With fixed windows alone, a script could spend the
//! whole limit just before a window ends and again just after, twice the limit in a moment.

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
    let previous_windows: Vec<DateTime<Utc>> = buckets
        .iter()
        .zip(&windows)
        .map(|((_, rule), start)| *start - chrono::Duration::seconds(rule.window_secs))
        .collect();
    // The previous window is read from the statement's snapshot: it no longer grows.
    let counts: Vec<(String, i32, i32)> = sqlx::query_as(
        "WITH counted AS (
             INSERT INTO rate_limit_counters (bucket, window_start, hits)
             SELECT bucket, window_start, 1 FROM unnest($1::text[], $2::timestamptz[]) AS b (bucket, window_start)
             ORDER BY bucket
             ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
             RETURNING bucket, hits
         )
         SELECT counted.bucket, counted.hits, coalesce(previous.hits, 0)
           FROM counted
           JOIN unnest($1::text[], $3::timestamptz[]) AS b (bucket, previous_start)
             ON b.bucket = counted.bucket
           LEFT JOIN rate_limit_counters previous
             ON previous.bucket = b.bucket AND previous.window_start = b.previous_start",
    )
    .bind(&names)
    .bind(&windows)
    .bind(&previous_windows)
    .fetch_all(pool)
    .await?;
    let wait = buckets
        .iter()
        .zip(&windows)
        .filter_map(|((name, rule), start)| {
            let (_, hits, previous) = counts.iter().find(|(counted, ..)| counted == name)?;
            let elapsed = (now - *start).num_seconds();
            rule.wait(elapsed, i64::from(*hits), i64::from(*previous))
        })
        .max();
    match wait {
        Some(wait) => Err(AppError::RateLimited {
            retry_after_secs: wait.max(1) as u64,
        }),
        None => Ok(()),
    }
}

impl Rule {
    /// Whether the sliding window ending `elapsed` seconds into the current window holds more
    /// than the limit, given the current window's `hits` (this one included) and the previous
    /// window's; if so, how many seconds until one more would be let through, were nothing else
    /// to come in the meantime.
    fn wait(self, elapsed: i64, hits: i64, previous: i64) -> Option<i64> {
        let (limit, window) = (i64::from(self.limit), self.window_secs);
        // In whole numbers: previous × (window − elapsed) / window + hits > limit.
        if previous * (window - elapsed) + hits * window <= limit * window {
            return None;
        }
        // One more at `at` seconds into the current window passes when
        // previous × (window − at) + (hits + 1) × window ≤ limit × window.
        let room = limit - hits - 1;
        if room > 0 && previous > 0 {
            let at = ceil_div(window * (previous - room), previous);
            if at < window {
                return Some(at - elapsed);
            }
        }
        // Otherwise in the next window, where these hits are the previous ones:
        // hits × (window − at) + window ≤ limit × window.
        let at = ceil_div(window * (hits - limit + 1), hits).max(0);
        Some(window - elapsed + at)
    }
}

/// `a / b` rounded up, for a positive `b` (the standard one for signed numbers is not stable).
fn ceil_div(a: i64, b: i64) -> i64 {
    -(-a).div_euclid(b)
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
    fn the_limit_holds_across_the_end_of_a_window() {
        let rule = per(30, 600);
        // The first window alone: the 30th passes; the 31st waits for the window's end and a
        // little more, until the 31 count for fewer than 29.
        assert_eq!(rule.wait(100, 30, 0), None);
        assert_eq!(rule.wait(100, 31, 0), Some(500 + 39));
        // A second after a full window ends, its 30 still count almost whole.
        assert_eq!(rule.wait(1, 1, 30), Some(39));
        // Half way through, half of them: 15 more pass, the 16th waits.
        assert_eq!(rule.wait(300, 15, 30), None);
        assert_eq!(rule.wait(300, 16, 30), Some(40));
        // A full window ahead: what remains of this one, then as much of the next as it takes.
        assert_eq!(rule.wait(300, 29, 30), Some(300));
        assert_eq!(rule.wait(599, 60, 0), Some(1 + 310));
    }

    #[test]
    fn the_wait_is_when_one_more_passes() {
        // Brute force over small figures: after the wait one more passes, a second earlier not.
        let rule = per(5, 60);
        let passes = |at: i64, hits: i64, previous: i64| {
            if at < 60 {
                rule.wait(at, hits + 1, previous).is_none()
            } else {
                rule.wait(at - 60, 1, hits).is_none()
            }
        };
        for previous in 0..12 {
            for hits in 1..12 {
                for elapsed in 0..60 {
                    let Some(wait) = rule.wait(elapsed, hits, previous) else {
                        continue;
                    };
                    assert!(wait > 0, "{elapsed} {hits} {previous}");
                    let at = elapsed + wait;
                    assert!(passes(at, hits, previous), "{elapsed} {hits} {previous}");
                    assert!(
                        !passes(at - 1, hits, previous),
                        "{elapsed} {hits} {previous}"
                    );
                }
            }
        }
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
