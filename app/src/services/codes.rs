//! One-time codes by email: issuing one (replacing any live code for the same purpose and
//! queueing its email), the resend cooldown, and redeeming one with its count of wrong tries.
//! Only a code's hash is stored.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sqlx::{PgConnection, PgPool};

use super::{emails, outbox, passwords};
use crate::domain::codes::{
    CODE_LIFETIME, CODE_MAX_ATTEMPTS, CodePurpose, OtpCode, RESEND_COOLDOWN,
};
use crate::domain::{AppError, Email, SessionUser};

/// Replaces any live code of `user` for `purpose` with a fresh one and queues the email.
pub(crate) async fn issue_code(
    conn: &mut PgConnection,
    user: &SessionUser,
    purpose: CodePurpose,
    new_email: Option<&Email>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let code = replace_code(conn, user.id, purpose, new_email, now, now + CODE_LIFETIME).await?;
    let to = new_email.map_or(user.email.as_str(), Email::as_str);
    let email = outbox::enqueue(
        conn,
        &emails::code_email(to, &user.display_name(), purpose, &code),
    )
    .await?;
    outbox::carries_code(conn, email, &code).await
}

/// Invalidates any live code of `user_id` for `purpose` and stores a fresh one that works until
/// `expires_at`. Returns the code; sending it is the caller's business.
pub(crate) async fn replace_code(
    conn: &mut PgConnection,
    user_id: i64,
    purpose: CodePurpose,
    new_email: Option<&Email>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<String, AppError> {
    sqlx::query(
        "UPDATE otp_verifications SET invalidated_at = $3
          WHERE user_id = $1 AND purpose = $2 AND NOT is_verified AND invalidated_at IS NULL",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    // Only the code's hash is kept: the code itself goes out by email and nowhere else.
    let hash = passwords::hash(code.clone()).await?;
    sqlx::query(
        "INSERT INTO otp_verifications (user_id, otp_code, purpose, new_email, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user_id)
    .bind(&hash)
    .bind(purpose.as_str())
    .bind(new_email.map(Email::as_str))
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(code)
}

/// Refuses a new code for `purpose` within a minute of the last one.
pub(crate) async fn check_cooldown(
    pool: &PgPool,
    user_id: i64,
    purpose: CodePurpose,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let last: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT max(created_at) FROM otp_verifications WHERE user_id = $1 AND purpose = $2",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .fetch_one(pool)
    .await?;
    if let Some(last) = last {
        let wait = last + RESEND_COOLDOWN - now;
        if wait > Duration::zero() {
            return Err(AppError::RateLimited {
                retry_after_secs: wait.num_seconds().max(1) as u64,
            });
        }
    }
    Ok(())
}

/// Checks `code` against the user's live code for `purpose` inside `tx`, counting wrong tries.
/// On success the code is used up and the (optional) new email it proves is returned.
pub(crate) async fn redeem_code(
    tx: &mut PgConnection,
    user_id: i64,
    purpose: CodePurpose,
    code: &OtpCode,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    #[derive(sqlx::FromRow)]
    struct LiveCode {
        id: i64,
        otp_code: String,
        expires_at: DateTime<Utc>,
        failed_attempts: i16,
        new_email: Option<String>,
    }
    let live: Option<LiveCode> = sqlx::query_as(
        "SELECT id, otp_code, expires_at, failed_attempts, new_email FROM otp_verifications
          WHERE user_id = $1 AND purpose = $2 AND NOT is_verified AND invalidated_at IS NULL
          FOR UPDATE",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(LiveCode {
        id,
        otp_code: expected,
        expires_at,
        failed_attempts: failed,
        new_email,
    }) = live
    else {
        return Err(AppError::validation(
            "code",
            "No code is waiting. Ask for a new one.",
        ));
    };
    if now >= expires_at {
        return Err(AppError::validation(
            "code",
            "This code has expired. Ask for a new one.",
        ));
    }
    if !passwords::verify(code.as_str().to_owned(), expected).await? {
        let failed = failed + 1;
        sqlx::query(
            "UPDATE otp_verifications SET failed_attempts = $2,
                    invalidated_at = CASE WHEN $2 >= $3 THEN $4 END
              WHERE id = $1",
        )
        .bind(id)
        .bind(failed)
        .bind(CODE_MAX_ATTEMPTS)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let left = CODE_MAX_ATTEMPTS - failed;
        let message = match left {
            0 => "That code is not right, and it has now stopped working. Ask for a new one."
                .to_owned(),
            1 => "That code is not right. You have 1 more try.".to_owned(),
            n => format!("That code is not right. You have {n} more tries."),
        };
        return Err(AppError::validation("code", message));
    }
    sqlx::query("UPDATE otp_verifications SET is_verified = TRUE WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(new_email)
}
