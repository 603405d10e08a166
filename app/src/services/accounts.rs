//! Accounts: registration, one-time codes, sign-in with throttling, password reset and profile
//! changes. Every function takes `now`, so tests can move the clock.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sqlx::{PgConnection, PgPool};

use super::{outbox, passwords};
use crate::domain::account::{FormCheck, check_password_length, parse_name};
use crate::domain::{AppError, Email, OtpCode, Phone, SessionUser, Username};

/// How long a one-time code works.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Wrong tries before a code stops working.
pub const CODE_MAX_ATTEMPTS: i16 = 5;
/// The shortest wait between two codes for the same purpose.
pub const RESEND_COOLDOWN: Duration = Duration::seconds(60);
/// Failed sign-ins are counted over this sliding window...
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// ...and sign-in pauses after this many for one account,
pub const ACCOUNT_FAILURE_LIMIT: i64 = 5;
/// or this many from one client address (many accounts tried from one place).
pub const ADDRESS_FAILURE_LIMIT: i64 = 20;

const SIGN_IN_REFUSED: &str = "The username, email or password is not right.";

/// What a one-time code proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
}

impl CodePurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
        }
    }
}

/// The registration form as typed.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub password: String,
}

const USER_COLUMNS: &str = "id, username, email, first_name, last_name, phone_number,
     user_type AS role, email_verified_at IS NOT NULL AS email_verified";

/// Creates a patient account and emails a verification code. Every field is checked and every
/// problem reported at once; nothing is written unless all are fine.
pub async fn register(
    pool: &PgPool,
    form: Registration,
    now: DateTime<Utc>,
) -> Result<SessionUser, AppError> {
    let mut check = FormCheck::default();
    let fields = (
        check.field("username", Username::parse(&form.username)),
        check.field("email", Email::parse(&form.email)),
        check.field("first_name", parse_name(&form.first_name, "first name")),
        check.field("last_name", parse_name(&form.last_name, "last name")),
        check.field("phone", Phone::parse(&form.phone)),
        check.field("password", check_new_password(&form.password)),
    );
    let (Some(username), Some(email), Some(first_name), Some(last_name), Some(phone), Some(())) =
        fields
    else {
        return Err(check.into_error());
    };

    // The cheap refusals come before the costly hash (19 MiB and tens of milliseconds each).
    let (username_taken, email_taken): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM users WHERE username = $1),
                EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2))",
    )
    .bind(username.as_str())
    .bind(email.as_str())
    .fetch_one(pool)
    .await?;
    if username_taken {
        return Err(username_taken_error());
    }
    if email_taken {
        return Err(email_taken_error());
    }
    let hash = passwords::hash(form.password).await?;
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query_as::<_, SessionUser>(&format!(
        "INSERT INTO users (username, email, first_name, last_name, phone_number, password_hash, user_type)
         VALUES ($1, $2, $3, $4, $5, $6, 'patient')
         RETURNING {USER_COLUMNS}"
    ))
    .bind(username.as_str())
    .bind(email.as_str())
    .bind(&first_name)
    .bind(&last_name)
    .bind(phone.as_str())
    .bind(hash)
    .fetch_one(&mut *tx)
    .await;
    let user = match inserted {
        Ok(user) => user,
        // Someone else registered the same name or address in the meantime.
        Err(sqlx::Error::Database(err)) if err.constraint() == Some("users_username_key") => {
            return Err(username_taken_error());
        }
        Err(sqlx::Error::Database(err)) if err.constraint() == Some("users_email_key") => {
            return Err(email_taken_error());
        }
        Err(err) => return Err(err.into()),
    };
    issue_code(&mut tx, &user, CodePurpose::VerifyEmail, None, now).await?;
    tx.commit().await?;
    Ok(user)
}

fn username_taken_error() -> AppError {
    AppError::validation("username", "This username is taken; choose another.")
}

fn email_taken_error() -> AppError {
    AppError::validation(
        "email",
        "An account with this email already exists. Sign in, or reset your password.",
    )
}

/// Length and the common-password list.
pub fn check_new_password(password: &str) -> Result<(), String> {
    check_password_length(password)?;
    if is_common_password(password) {
        return Err(
            "This password is one of the most common ones; choose one that is harder to guess."
                .to_owned(),
        );
    }
    Ok(())
}

fn is_common_password(password: &str) -> bool {
    static COMMON: OnceLock<HashSet<String>> = OnceLock::new();
    COMMON
        .get_or_init(|| {
            include_str!("../../data/common-passwords.txt")
                .lines()
                .map(str::to_lowercase)
                .collect()
        })
        .contains(&password.to_lowercase())
}

/// Replaces any live code of `user` for `purpose` with a fresh one and queues the email.
async fn issue_code(
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
        &super::emails::code_email(to, &user.display_name(), purpose, &code),
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
async fn check_cooldown(
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

/// Sends a new verification code, at most once a minute.
pub async fn resend_verification(
    pool: &PgPool,
    user: &SessionUser,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if user.email_verified {
        return Err(AppError::Conflict(
            "Your email address is already verified.".to_owned(),
        ));
    }
    check_cooldown(pool, user.id, CodePurpose::VerifyEmail, now).await?;
    let mut tx = pool.begin().await?;
    issue_code(&mut tx, user, CodePurpose::VerifyEmail, None, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks `code` against the user's live code for `purpose` inside `tx`, counting wrong tries.
/// On success the code is used up and the (optional) new email it proves is returned.
async fn redeem_code(
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

/// Marks the user's email verified when `code` is their live verification code.
pub async fn verify_email(
    pool: &PgPool,
    user: &SessionUser,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let code = OtpCode::parse(code).map_err(|m| AppError::validation("code", m))?;
    let mut tx = pool.begin().await?;
    // A wrong try is counted even though the request fails: commit either way.
    let outcome = redeem_code(&mut tx, user.id, CodePurpose::VerifyEmail, &code, now).await;
    if outcome.is_ok() {
        sqlx::query(
            "UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL",
        )
        .bind(user.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    outcome.map(|_| ())
}

/// Who signed in, and the epoch their session must carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: SessionUser,
    pub auth_epoch: i32,
}

/// Checks a username-or-email and password. Unknown accounts and wrong passwords get the same
/// answer in about the same time; repeated failures pause sign-in for the account and for the
/// client address.
///
/// Each attempt is counted as a failure before its password is checked, in the same locked
/// step that checks the count, so parallel guesses cannot all pass a check made before any of
/// them failed; a right password takes its count back. A username and the account's email
/// share one count.
pub async fn sign_in(
    pool: &PgPool,
    identifier: &str,
    password: &str,
    client: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    let identifier = identifier.trim();
    if identifier.is_empty() || password.is_empty() {
        return Err(AppError::validation(
            "identifier",
            "Enter your username or email and your password.",
        ));
    }
    // No account is named with a control character (PostgreSQL would refuse a NUL outright)
    // or more than an address's 254 characters: such a name is simply not right.
    if identifier.chars().any(char::is_control) || identifier.chars().count() > 254 {
        return Err(AppError::validation("identifier", SIGN_IN_REFUSED));
    }
    let found: Option<(i64, String, bool, i32)> = sqlx::query_as(
        "SELECT id, password_hash, is_active, auth_epoch FROM users
          WHERE username = $1 OR lower(email) = lower($1)
          ORDER BY username = $1 DESC
          LIMIT 1",
    )
    .bind(identifier)
    .fetch_optional(pool)
    .await?;
    let account_key = match &found {
        Some((id, ..)) => format!("user:{id}"),
        None => identifier.to_lowercase().chars().take(254).collect(),
    };
    count_attempt(pool, &account_key, client, now).await?;

    // Without an account we still hash, so the answer takes as long as a wrong password.
    let hash = match &found {
        Some((_, hash, _, _)) => hash.clone(),
        None => dummy_hash().await?,
    };
    let matches = passwords::verify(password.to_owned(), hash).await?;
    let Some((id, _, active, auth_epoch)) = found.filter(|_| matches) else {
        return Err(AppError::validation("identifier", SIGN_IN_REFUSED));
    };
    if !active {
        return Err(AppError::Forbidden);
    }
    // The right password clears the account's failures, this attempt's among them.
    sqlx::query("DELETE FROM sign_in_failures WHERE account_key = $1")
        .bind(&account_key)
        .execute(pool)
        .await?;
    let user = sqlx::query_as::<_, SessionUser>(&format!(
        "UPDATE users SET last_login = $2 WHERE id = $1 RETURNING {USER_COLUMNS}"
    ))
    .bind(id)
    .bind(now)
    .fetch_one(pool)
    .await?;
    Ok(SignedIn { user, auth_epoch })
}

/// Refuses the attempt while the account or the address is paused; otherwise records it as a
/// failure (until the password proves right). The check and the record are one step under a
/// lock on the account and the address.
async fn count_attempt(
    pool: &PgPool,
    account_key: &str,
    client: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let client = client.map(|ip| ip.to_canonical().to_string());
    let mut tx = pool.begin().await?;
    // Always the account first, then the address: two attempts never wait on each other in a
    // circle.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('sign-in:' || $1, 0))")
        .bind(account_key)
        .execute(&mut *tx)
        .await?;
    if let Some(client) = &client {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('sign-in-from:' || $1, 0))")
            .bind(client)
            .execute(&mut *tx)
            .await?;
    }
    let since = now - THROTTLE_WINDOW;
    let (account_failures, account_oldest, address_failures, address_oldest): (
        i64,
        Option<DateTime<Utc>>,
        i64,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM sign_in_failures WHERE account_key = $1 AND failed_at > $3),
                (SELECT min(failed_at) FROM (SELECT failed_at FROM sign_in_failures
                  WHERE account_key = $1 AND failed_at > $3 ORDER BY failed_at DESC LIMIT $4) AS recent),
                (SELECT count(*) FROM sign_in_failures WHERE client_address = $2::inet AND failed_at > $3),
                (SELECT min(failed_at) FROM (SELECT failed_at FROM sign_in_failures
                  WHERE client_address = $2::inet AND failed_at > $3 ORDER BY failed_at DESC LIMIT $5) AS recent)",
    )
    .bind(account_key)
    .bind(&client)
    .bind(since)
    .bind(ACCOUNT_FAILURE_LIMIT)
    .bind(ADDRESS_FAILURE_LIMIT)
    .fetch_one(&mut *tx)
    .await?;
    // Sign-in opens again when the oldest of the failures that count leaves the window.
    let blocked_until = [
        (account_failures >= ACCOUNT_FAILURE_LIMIT)
            .then_some(account_oldest)
            .flatten(),
        (address_failures >= ADDRESS_FAILURE_LIMIT)
            .then_some(address_oldest)
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .map(|oldest| oldest + THROTTLE_WINDOW)
    .max();
    if let Some(until) = blocked_until.filter(|until| *until > now) {
        return Err(AppError::RateLimited {
            retry_after_secs: (until - now).num_seconds().max(1) as u64,
        });
    }
    sqlx::query(
        "INSERT INTO sign_in_failures (account_key, client_address, failed_at)
         VALUES ($1, $2::inet, $3)",
    )
    .bind(account_key)
    .bind(&client)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn dummy_hash() -> Result<String, AppError> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| passwords::hash("not a real password: equalises timing".to_owned()))
        .await
        .cloned()
}

/// The signed-in user for a session, if the account still exists, is active, and the session
/// carries the current epoch.
pub async fn session_user(
    pool: &PgPool,
    user_id: i64,
    auth_epoch: i32,
) -> Result<Option<SessionUser>, AppError> {
    let user = sqlx::query_as::<_, SessionUser>(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND is_active AND auth_epoch = $2"
    ))
    .bind(user_id)
    .bind(auth_epoch)
    .fetch_optional(pool)
    .await?;
    Ok(user)
}

/// Emails a reset code when `email` belongs to an active account. The answer is the same
/// either way, so nobody learns which addresses have accounts.
pub async fn request_password_reset(
    pool: &PgPool,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|m| AppError::validation("email", m))?;
    let user = sqlx::query_as::<_, SessionUser>(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1) AND is_active"
    ))
    .bind(email.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(user) = user else { return Ok(()) };
    // Within the cooldown the previous code is still on its way: say nothing different.
    if check_cooldown(pool, user.id, CodePurpose::ResetPassword, now)
        .await
        .is_err()
    {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    issue_code(&mut tx, &user, CodePurpose::ResetPassword, None, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password when `code` is the live reset code for `email`; ends every session.
pub async fn reset_password(
    pool: &PgPool,
    email: &str,
    code: &str,
    new_password: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let email = Email::parse(email).map_err(|m| AppError::validation("email", m))?;
    let code = OtpCode::parse(code).map_err(|m| AppError::validation("code", m))?;
    check_new_password(new_password).map_err(|m| AppError::validation("password", m))?;
    let user_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower($1) AND is_active")
            .bind(email.as_str())
            .fetch_optional(pool)
            .await?;
    // An unknown address looks exactly like a missing code.
    let Some(user_id) = user_id else {
        return Err(AppError::validation(
            "code",
            "No code is waiting. Ask for a new one.",
        ));
    };
    // Hash only when a code is waiting: a stranger's guesses cost a query, not a hash.
    let waiting: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM otp_verifications
                         WHERE user_id = $1 AND purpose = $2 AND NOT is_verified
                           AND invalidated_at IS NULL AND expires_at > $3)",
    )
    .bind(user_id)
    .bind(CodePurpose::ResetPassword.as_str())
    .bind(now)
    .fetch_one(pool)
    .await?;
    if !waiting {
        return Err(AppError::validation(
            "code",
            "No code is waiting, or it has expired. Ask for a new one.",
        ));
    }
    let hash = passwords::hash(new_password.to_owned()).await?;
    let mut tx = pool.begin().await?;
    let outcome = redeem_code(&mut tx, user_id, CodePurpose::ResetPassword, &code, now).await;
    if outcome.is_ok() {
        // Proving the address by code also verifies it.
        sqlx::query(
            "UPDATE users SET password_hash = $2, auth_epoch = auth_epoch + 1,
                    email_verified_at = coalesce(email_verified_at, $3)
              WHERE id = $1",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    outcome.map(|_| ())
}

/// Changes name and phone number.
pub async fn update_profile(
    pool: &PgPool,
    user_id: i64,
    first_name: &str,
    last_name: &str,
    phone: &str,
) -> Result<SessionUser, AppError> {
    let mut check = FormCheck::default();
    let fields = (
        check.field("first_name", parse_name(first_name, "first name")),
        check.field("last_name", parse_name(last_name, "last name")),
        check.field("phone", Phone::parse(phone)),
    );
    let (Some(first), Some(last), Some(phone)) = fields else {
        return Err(check.into_error());
    };
    let user = sqlx::query_as::<_, SessionUser>(&format!(
        "UPDATE users SET first_name = $2, last_name = $3, phone_number = $4 WHERE id = $1 RETURNING {USER_COLUMNS}"
    ))
    .bind(user_id)
    .bind(first)
    .bind(last)
    .bind(phone.as_str())
    .fetch_one(pool)
    .await?;
    Ok(user)
}

/// Checks that `password` is the signed-in user's own, before something that needs more than
/// an open session (a new email address, money leaving the wallet). A wrong one is refused
/// with `field`'s message.
pub async fn confirm_password(
    pool: &PgPool,
    user_id: i64,
    password: &str,
    field: &str,
) -> Result<(), AppError> {
    if password.is_empty() {
        return Err(AppError::validation(field, "Enter your password."));
    }
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    if !passwords::verify(password.to_owned(), hash).await? {
        return Err(AppError::validation(field, "Your password is not right."));
    }
    Ok(())
}

/// Changes the password after checking the current one. Returns the new epoch: the caller's
/// session moves to it, every other session of the user ends.
pub async fn change_password(
    pool: &PgPool,
    user_id: i64,
    current: &str,
    new_password: &str,
) -> Result<i32, AppError> {
    confirm_password(pool, user_id, current, "current_password").await?;
    check_new_password(new_password).map_err(|m| AppError::validation("new_password", m))?;
    let new_hash = passwords::hash(new_password.to_owned()).await?;
    let epoch = sqlx::query_scalar(
        "UPDATE users SET password_hash = $2, auth_epoch = auth_epoch + 1 WHERE id = $1 RETURNING auth_epoch",
    )
    .bind(user_id)
    .bind(new_hash)
    .fetch_one(pool)
    .await?;
    Ok(epoch)
}

/// Sends a code to `new_email`; the address changes only when that code comes back.
pub async fn request_email_change(
    pool: &PgPool,
    user: &SessionUser,
    new_email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let email = Email::parse(new_email).map_err(|m| AppError::validation("email", m))?;
    // An open session is not enough to move the account to another address.
    confirm_password(pool, user.id, password, "password").await?;
    let taken: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))")
            .bind(email.as_str())
            .fetch_one(pool)
            .await?;
    if taken {
        return Err(AppError::validation(
            "email",
            "Another account already uses this address.",
        ));
    }
    check_cooldown(pool, user.id, CodePurpose::ChangeEmail, now).await?;
    let mut tx = pool.begin().await?;
    issue_code(&mut tx, user, CodePurpose::ChangeEmail, Some(&email), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Switches to the new address proven by `code`.
pub async fn confirm_email_change(
    pool: &PgPool,
    user_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<SessionUser, AppError> {
    let code = OtpCode::parse(code).map_err(|m| AppError::validation("code", m))?;
    let mut tx = pool.begin().await?;
    let new_email = match redeem_code(&mut tx, user_id, CodePurpose::ChangeEmail, &code, now).await
    {
        Ok(Some(new_email)) => new_email,
        Ok(None) => return Err(AppError::internal("a change-email code without an address")),
        Err(err) => {
            // A wrong try is counted even though the request fails.
            tx.commit().await?;
            return Err(err);
        }
    };
    let user = sqlx::query_as::<_, SessionUser>(&format!(
        "UPDATE users SET email = $2, email_verified_at = $3 WHERE id = $1 RETURNING {USER_COLUMNS}"
    ))
    .bind(user_id)
    .bind(new_email)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|err| match err {
        sqlx::Error::Database(db) if db.constraint() == Some("users_email_key") => {
            AppError::validation("code", "Another account took this address in the meantime.")
        }
        other => other.into(),
    })?;
    tx.commit().await?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_password_list_is_shipped_and_case_insensitive() {
        assert!(is_common_password("password"));
        assert!(is_common_password("PassWord"));
        assert!(is_common_password("12345678"));
        assert!(!is_common_password("plum-kettle-orbit-42"));
        assert_eq!(
            include_str!("../../data/common-passwords.txt")
                .lines()
                .count(),
            10_000
        );
    }
}
