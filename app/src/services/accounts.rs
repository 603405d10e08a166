//! Accounts: registration (and the operator's administrators), sign-in with throttling, email
//! verification, password reset and profile changes. The one-time codes they send and redeem
//! are `codes.rs`'s. Every function takes `now`, so tests can move the clock.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};

use super::codes::{check_cooldown, issue_code, redeem_code};
use super::page_changes::{PageChange, announce};
use super::passwords;
use crate::domain::account::parse_name;
use crate::domain::codes::CodePurpose;
use crate::domain::forms::FormCheck;
use crate::domain::{AppError, Email, OtpCode, Phone, SessionUser, UserRole, Username};

/// Failed sign-ins are counted over this sliding window...
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// ...and sign-in pauses after this many for one account,
pub const ACCOUNT_FAILURE_LIMIT: i64 = 5;
/// or this many from one client address (many accounts tried from one place).
pub const ADDRESS_FAILURE_LIMIT: i64 = 20;

/// The session value holding the signed-in user's id. A session store that files sessions by
/// account reads it, and the erasure finds an account's sessions by it.
pub const SESSION_USER_KEY: &str = "user_id";

const SIGN_IN_REFUSED: &str = "The username, email or password is not right.";

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
        check.field("password", passwords::check_new(&form.password)),
    );
    let (Some(username), Some(email), Some(first_name), Some(last_name), Some(phone), Some(())) =
        fields
    else {
        return Err(check.into_error());
    };

    let hash = checked_hash(pool, &username, &email, form.password).await?;
    let mut tx = pool.begin().await?;
    let user = insert_user(
        &mut tx,
        NewUser {
            username: &username,
            email: &email,
            first_name: &first_name,
            last_name: &last_name,
            phone: phone.as_str(),
            password_hash: hash,
            role: UserRole::Patient,
            email_verified_at: None,
        },
    )
    .await?;
    issue_code(&mut tx, &user, CodePurpose::VerifyEmail, None, now).await?;
    tx.commit().await?;
    Ok(user)
}

/// An administrator as the operator types it (`server create-admin`, the demo data). Unlike a
/// registration, the names may be left empty and there is no phone number.
#[derive(Debug, Clone, Default)]
pub struct AdminForm {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: String,
}

/// An administrator's account, checked by registration's rules: a valid username and address, a
/// password long enough and not one of the most common, names that follow the name rule when
/// given. Checking needs no database, so a tool can refuse bad input before it opens one.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    username: Username,
    email: Email,
    first_name: String,
    last_name: String,
    password: String,
}

impl NewAdmin {
    /// Every problem of the form at once.
    pub fn check(form: AdminForm) -> Result<Self, AppError> {
        let optional_name = |name: &str, what: &str| match name.trim() {
            "" => Ok(String::new()),
            name => parse_name(name, what),
        };
        let mut check = FormCheck::default();
        let fields = (
            check.field("username", Username::parse(&form.username)),
            check.field("email", Email::parse(&form.email)),
            check.field("first_name", optional_name(&form.first_name, "first name")),
            check.field("last_name", optional_name(&form.last_name, "last name")),
            check.field("password", passwords::check_new(&form.password)),
        );
        let (Some(username), Some(email), Some(first_name), Some(last_name), Some(())) = fields
        else {
            return Err(check.into_error());
        };
        Ok(Self {
            username,
            email,
            first_name,
            last_name,
            password: form.password,
        })
    }
}

/// Creates the administrator, refusing a username or address already in use. The address counts
/// as verified at `now` (the operator vouches for it), so no code is sent. Runs on `conn`, so a
/// caller may make it part of a larger transaction.
pub async fn create_admin(
    conn: &mut PgConnection,
    admin: NewAdmin,
    now: DateTime<Utc>,
) -> Result<SessionUser, AppError> {
    let hash = checked_hash(&mut *conn, &admin.username, &admin.email, admin.password).await?;
    insert_user(
        conn,
        NewUser {
            username: &admin.username,
            email: &admin.email,
            first_name: &admin.first_name,
            last_name: &admin.last_name,
            phone: "",
            password_hash: hash,
            role: UserRole::Admin,
            email_verified_at: Some(now),
        },
    )
    .await
}

/// A new account's row, every value checked.
struct NewUser<'a> {
    username: &'a Username,
    email: &'a Email,
    first_name: &'a str,
    last_name: &'a str,
    phone: &'a str,
    password_hash: String,
    role: UserRole,
    email_verified_at: Option<DateTime<Utc>>,
}

/// Refuses a username or address already in use, then hashes `password`: the cheap refusals
/// come before the costly hash (19 MiB and tens of milliseconds each).
async fn checked_hash<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    username: &Username,
    email: &Email,
    password: String,
) -> Result<String, AppError> {
    let (username_taken, email_taken): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM users WHERE username = $1),
                EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2))",
    )
    .bind(username.as_str())
    .bind(email.as_str())
    .fetch_one(conn)
    .await?;
    if username_taken {
        return Err(username_taken_error());
    }
    if email_taken {
        return Err(email_taken_error());
    }
    passwords::hash(password).await
}

async fn insert_user(conn: &mut PgConnection, user: NewUser<'_>) -> Result<SessionUser, AppError> {
    let inserted = sqlx::query_as::<_, SessionUser>(&format!(
        "INSERT INTO users (username, email, first_name, last_name, phone_number, password_hash,
                            user_type, email_verified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING {USER_COLUMNS}"
    ))
    .bind(user.username.as_str())
    .bind(user.email.as_str())
    .bind(user.first_name)
    .bind(user.last_name)
    .bind(user.phone)
    .bind(user.password_hash)
    .bind(user.role.as_str())
    .bind(user.email_verified_at)
    .fetch_one(conn)
    .await;
    match inserted {
        Ok(user) => Ok(user),
        // Someone else took the same name or address in the meantime.
        Err(sqlx::Error::Database(err)) if err.constraint() == Some("users_username_key") => {
            Err(username_taken_error())
        }
        Err(sqlx::Error::Database(err)) if err.constraint() == Some("users_email_key") => {
            Err(email_taken_error())
        }
        Err(err) => Err(err.into()),
    }
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
          WHERE (username = $1 OR lower(email) = lower($1))
            -- An erased account is no account: it is answered like an unknown name.
            AND erased_at IS NULL
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
    passwords::check_new(new_password).map_err(|m| AppError::validation("password", m))?;
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
    if user.role == UserRole::Doctor {
        // The directory and their page show their name.
        announce(pool, &[PageChange::DoctorAccount(user_id)]).await;
    }
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
    passwords::check_new(new_password).map_err(|m| AppError::validation("new_password", m))?;
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
