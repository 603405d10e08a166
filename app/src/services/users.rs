//! The admin's view of accounts: the searchable list, its CSV export, and deactivation (which
//! ends the account's sessions at once) and reactivation, each recorded in the audit log.

use serde_json::json;
use sqlx::PgPool;

use super::ClinicSettings;
use super::audit::{self, Action, Target};
use super::listing::{CsvExport, offset, pattern};
use super::page_changes::{PageChange, announce};
use crate::domain::admin::{USERS_PER_PAGE, UserPage, UserParams, UserQuery, UserRow};
use crate::domain::listing::EXPORT_LIMIT;
use crate::domain::{AppError, UserRole};

const COLUMNS: &str = "id, username, email, first_name, last_name, user_type AS role, is_active,
    email_verified_at IS NOT NULL AS email_verified, created_at, last_login, erased_at,
    wallet_balance";

/// The filter every query of the list shares: $1 a LIKE pattern, $2 the role, $3 active or not.
const FILTER: &str = "WHERE ($1 = '%%' OR username ILIKE $1 OR email ILIKE $1
                            OR (first_name || ' ' || last_name) ILIKE $1)
                       AND ($2::text IS NULL OR user_type = $2)
                       AND ($3::boolean IS NULL OR is_active = $3)";

/// One page of the accounts matching `query`, newest first.
pub async fn list(pool: &PgPool, query: &UserQuery) -> Result<UserPage, AppError> {
    let matching: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM users {FILTER}"))
        .bind(pattern(&query.search))
        .bind(query.role.map(|role| role.as_str()))
        .bind(query.status.is_active())
        .fetch_one(pool)
        .await?;
    let users = sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {COLUMNS} FROM users {FILTER}
          ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(pattern(&query.search))
    .bind(query.role.map(|role| role.as_str()))
    .bind(query.status.is_active())
    .bind(USERS_PER_PAGE)
    .bind(offset(query.page, USERS_PER_PAGE))
    .fetch_all(pool)
    .await?;
    Ok(UserPage::new(users, matching, query.page))
}

/// `/admin/users.csv`: every account the filters match, oldest first.
impl CsvExport for UserRow {
    type Params = UserParams;
    const ROLE: UserRole = UserRole::Admin;
    const FILE: &'static str = "users";
    const HEADER: &'static [&'static str] = &[
        "id",
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "active",
        "email_verified",
        "created_at",
        "last_login",
    ];

    async fn rows(
        pool: &PgPool,
        _: &ClinicSettings,
        _: i64,
        params: &UserParams,
    ) -> Result<Vec<Self>, AppError> {
        let query = UserQuery::parse(params)?;
        Ok(sqlx::query_as::<_, UserRow>(&format!(
            "SELECT {COLUMNS} FROM users {FILTER} ORDER BY id LIMIT $4"
        ))
        .bind(pattern(&query.search))
        .bind(query.role.map(|role| role.as_str()))
        .bind(query.status.is_active())
        .bind(EXPORT_LIMIT)
        .fetch_all(pool)
        .await?)
    }

    fn record(self, _: &ClinicSettings) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.username,
            self.email,
            self.first_name,
            self.last_name,
            self.role.to_string(),
            self.is_active.to_string(),
            self.email_verified.to_string(),
            self.created_at.to_rfc3339(),
            self.last_login
                .map(|at| at.to_rfc3339())
                .unwrap_or_default(),
        ]
    }
}

/// Deactivates (`active` false) or reactivates an account. A deactivated account cannot sign in,
/// and its sessions end at their next request: the session check reads `is_active`, and the
/// epoch moves on, so reactivating does not revive them either. A doctor's profile leaves the
/// directory with the account (nobody could see the bookings); reactivating the account leaves the
/// profile for the admin to put back. An admin cannot deactivate themself (the clinic would be
/// left without a way back in).
pub async fn set_active(
    pool: &PgPool,
    admin_id: i64,
    user_id: i64,
    active: bool,
) -> Result<(), AppError> {
    if user_id == admin_id && !active {
        return Err(AppError::Conflict(
            "You cannot deactivate your own account; ask another admin.".to_owned(),
        ));
    }
    let mut tx = pool.begin().await?;
    let (was_active, username, doctor, erased): (bool, String, bool, bool) = sqlx::query_as(
        "SELECT is_active, username, user_type = 'doctor', erased_at IS NOT NULL
           FROM users WHERE id = $1 FOR UPDATE",
    )
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::NotFound("This account".to_owned()))?;
    if erased && active {
        return Err(AppError::Conflict(
            "This account was deleted at its owner's request, so it cannot be reactivated; they              can register again."
                .to_owned(),
        ));
    }
    if was_active == active {
        // Already so: nothing changes, so nothing is recorded.
        return Ok(());
    }
    sqlx::query(
        "UPDATE users SET is_active = $2,
                auth_epoch = auth_epoch + CASE WHEN $2 THEN 0 ELSE 1 END
          WHERE id = $1",
    )
    .bind(user_id)
    .bind(active)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Some(admin_id),
        if active {
            Action::UserReactivate
        } else {
            Action::UserDeactivate
        },
        Target::user(user_id),
        Some(json!({ "username": username, "is_active": was_active })),
        Some(json!({ "username": username, "is_active": active })),
    )
    .await?;
    if !active {
        let profiles: Vec<i64> = sqlx::query_scalar(
            "UPDATE doctors SET is_active = FALSE WHERE user_id = $1 AND is_active RETURNING id",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        for doctor_id in profiles {
            audit::record(
                &mut tx,
                Some(admin_id),
                Action::DoctorDeactivate,
                Target::doctor(doctor_id),
                Some(json!({ "is_active": true })),
                Some(json!({ "is_active": false })),
            )
            .await?;
        }
    }
    tx.commit().await?;
    if doctor {
        announce(
            pool,
            &[PageChange::DoctorAccount(user_id), PageChange::Roster],
        )
        .await;
    }
    Ok(())
}
