//! Doctor records: onboarding by an admin (the account, the profile and the welcome email in one
//! transaction), the paged list and its CSV export, edits, activation, and the doctor's own bio
//! and fee.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sqlx::{PgConnection, PgPool};

use super::audit::{self, Action, Target};
use super::codes::replace_code;
use super::listing::{CsvExport, list_page, offset, pattern};
use super::page_changes::{PageChange, announce};
use super::{ClinicSettings, emails, outbox, passwords};
use crate::domain::codes::CodePurpose;
use crate::domain::listing::{EXPORT_LIMIT, ListPage, ROWS_PER_PAGE};
use crate::domain::oversight::{DoctorParams, DoctorQuery, DoctorStatus};
use crate::domain::{
    AppError, DoctorDetails, DoctorRecord, Money, PracticeDetails, UserRole, encode_query, format,
};

/// How long a new doctor's password link works: long enough for a weekend.
pub const INVITATION_LIFETIME: Duration = Duration::days(3);

const RECORD_SELECT: &str = "SELECT d.id, u.first_name, u.last_name, u.email, u.phone_number,
            d.specialty_id, s.name AS specialty, d.license_number, d.experience_years, d.bio,
            d.consultation_fee, d.is_active, u.email_verified_at IS NOT NULL AS password_set
       FROM doctors d
       JOIN users u ON u.id = d.user_id
       JOIN specialties s ON s.id = d.specialty_id";

/// Creates the doctor's account and profile, and emails them a link to choose a password.
/// Returns the new doctor's id.
pub async fn onboard(
    pool: &PgPool,
    settings: &ClinicSettings,
    admin_id: i64,
    details: &DoctorDetails,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    // Nobody knows this password: the doctor chooses theirs with the emailed code.
    let unknowable: String = {
        let mut rng = rand::rngs::OsRng;
        (0..32)
            .map(|_| char::from(b'a' + rng.gen_range(0..26u8)))
            .collect()
    };
    let hash = passwords::hash(unknowable).await?;
    let mut tx = pool.begin().await?;
    let username = free_username(&mut tx, details.email.as_str()).await?;
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, email, first_name, last_name, phone_number, password_hash, user_type)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id",
    )
    .bind(&username)
    .bind(details.email.as_str())
    .bind(&details.first_name)
    .bind(&details.last_name)
    .bind(&details.phone)
    .bind(hash)
    .bind(UserRole::Doctor.as_str())
    .fetch_one(&mut *tx)
    .await
    .map_err(explain_conflict)?;
    let doctor_id: i64 = sqlx::query_scalar(
        "INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio,
                              consultation_fee, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id",
    )
    .bind(user_id)
    .bind(details.specialty_id)
    .bind(&details.license_number)
    .bind(details.experience_years)
    .bind(&details.bio)
    .bind(details.consultation_fee.amount())
    .bind(admin_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(explain_conflict)?;
    invite(&mut tx, settings, user_id, details, now).await?;
    let after = snapshot(&mut tx, doctor_id).await?;
    audit::record(
        &mut tx,
        Some(admin_id),
        Action::DoctorOnboard,
        Target::doctor(doctor_id),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(doctor_id), PageChange::Roster]).await;
    Ok(doctor_id)
}

/// What the audit log records of a doctor: the record an admin edits, as JSON. Read inside the
/// caller's transaction, so it is the state that commits.
async fn snapshot(conn: &mut PgConnection, doctor_id: i64) -> Result<serde_json::Value, AppError> {
    sqlx::query_scalar(
        "SELECT to_jsonb(r) FROM (
            SELECT u.username, u.first_name, u.last_name, u.email, u.phone_number,
                   d.specialty_id, d.license_number, d.experience_years, d.bio,
                   d.consultation_fee, d.is_active
              FROM doctors d JOIN users u ON u.id = d.user_id WHERE d.id = $1) r",
    )
    .bind(doctor_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::NotFound("This doctor".to_owned()))
}

/// Emails a fresh password link to a doctor who has not chosen a password yet.
pub async fn resend_invitation(
    pool: &PgPool,
    settings: &ClinicSettings,
    admin_id: i64,
    doctor_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let record = get(pool, doctor_id).await?;
    if record.password_set {
        return Err(AppError::Conflict(format!(
            "{} has already chosen a password. If it is forgotten, they can reset it from the sign-in page.",
            record.display_name()
        )));
    }
    let details = DoctorDetails::parse(&record.to_form())?;
    let mut tx = pool.begin().await?;
    let user_id: i64 = sqlx::query_scalar("SELECT user_id FROM doctors WHERE id = $1")
        .bind(doctor_id)
        .fetch_one(&mut *tx)
        .await?;
    invite(&mut tx, settings, user_id, &details, now).await?;
    audit::record(
        &mut tx,
        Some(admin_id),
        Action::DoctorResendInvitation,
        Target::doctor(doctor_id),
        None,
        Some(serde_json::json!({ "email": details.email.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn invite(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    user_id: i64,
    details: &DoctorDetails,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let code = replace_code(
        conn,
        user_id,
        CodePurpose::ResetPassword,
        None,
        now,
        now + INVITATION_LIFETIME,
    )
    .await?;
    let email = details.email.as_str();
    let link = format!(
        "{}/reset-password?email={}&code={code}",
        settings.public_url.trim_end_matches('/'),
        encode_query(email)
    );
    let name = format::doctor_name(&details.first_name, &details.last_name);
    let welcome = outbox::enqueue(
        conn,
        &emails::doctor_welcome_email(email, &name, &link, &code, INVITATION_LIFETIME.num_days()),
    )
    .await?;
    outbox::carries_code(conn, welcome, &code).await
}

/// The part of the email address before `@`, made a valid username, with a number added when
/// someone already has it.
async fn free_username(conn: &mut PgConnection, email: &str) -> Result<String, AppError> {
    let local = email.split('@').next().unwrap_or_default();
    let mut base: String = local
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(140)
        .collect();
    while base.chars().count() < 3 {
        base.push_str("dr");
    }
    for n in 1..=1000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        let taken: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)")
                .bind(&candidate)
                .fetch_one(&mut *conn)
                .await?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(AppError::Conflict(
        "Could not find a free username for this email address; use another address.".to_owned(),
    ))
}

/// Turns the unique and foreign-key violations an admin can cause into messages beside the field.
fn explain_conflict(err: sqlx::Error) -> AppError {
    let sqlx::Error::Database(db) = &err else {
        return err.into();
    };
    match db.constraint() {
        Some("users_email_key") => AppError::validation(
            "email",
            "An account with this email address already exists.",
        ),
        Some("doctors_license_number_key") => AppError::validation(
            "license_number",
            "Another doctor already has this license number.",
        ),
        Some("doctors_specialty_id_fkey") => AppError::validation(
            "specialty",
            "This specialty does not exist (was it just deleted?). Choose another.",
        ),
        Some("users_username_key") => AppError::Conflict(
            "Someone took the same username at the same moment. Please submit again.".to_owned(),
        ),
        _ => err.into(),
    }
}

/// Changes every field of a doctor's record. Booked appointments keep the fee they were booked at.
pub async fn update(
    pool: &PgPool,
    admin_id: i64,
    doctor_id: i64,
    details: &DoctorDetails,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let user_id: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM doctors WHERE id = $1 FOR UPDATE")
            .bind(doctor_id)
            .fetch_optional(&mut *tx)
            .await?;
    let user_id = user_id.ok_or_else(|| AppError::NotFound("This doctor".to_owned()))?;
    let before = snapshot(&mut tx, doctor_id).await?;
    sqlx::query(
        "UPDATE users SET first_name = $2, last_name = $3, email = $4, phone_number = $5
          WHERE id = $1",
    )
    .bind(user_id)
    .bind(&details.first_name)
    .bind(&details.last_name)
    .bind(details.email.as_str())
    .bind(&details.phone)
    .execute(&mut *tx)
    .await
    .map_err(explain_conflict)?;
    sqlx::query(
        "UPDATE doctors SET specialty_id = $2, license_number = $3, experience_years = $4,
                bio = $5, consultation_fee = $6
          WHERE id = $1",
    )
    .bind(doctor_id)
    .bind(details.specialty_id)
    .bind(&details.license_number)
    .bind(details.experience_years)
    .bind(&details.bio)
    .bind(details.consultation_fee.amount())
    .execute(&mut *tx)
    .await
    .map_err(explain_conflict)?;
    let after = snapshot(&mut tx, doctor_id).await?;
    audit::record(
        &mut tx,
        Some(admin_id),
        Action::DoctorUpdate,
        Target::doctor(doctor_id),
        Some(before),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    // The specialty may have changed: the home page's counts with it.
    announce(pool, &[PageChange::Doctor(doctor_id), PageChange::Roster]).await;
    Ok(())
}

/// Takes a doctor off the directory (or puts them back). Their appointments stay as they are.
pub async fn set_active(
    pool: &PgPool,
    admin_id: i64,
    doctor_id: i64,
    active: bool,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let was_active: bool =
        sqlx::query_scalar("SELECT is_active FROM doctors WHERE id = $1 FOR UPDATE")
            .bind(doctor_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::NotFound("This doctor".to_owned()))?;
    if was_active == active {
        // Already so: nothing changes, so nothing is recorded.
        return Ok(());
    }
    sqlx::query("UPDATE doctors SET is_active = $2 WHERE id = $1")
        .bind(doctor_id)
        .bind(active)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Some(admin_id),
        if active {
            Action::DoctorActivate
        } else {
            Action::DoctorDeactivate
        },
        Target::doctor(doctor_id),
        Some(serde_json::json!({ "is_active": was_active })),
        Some(serde_json::json!({ "is_active": active })),
    )
    .await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Doctor(doctor_id), PageChange::Roster]).await;
    Ok(())
}

pub async fn get(pool: &PgPool, doctor_id: i64) -> Result<DoctorRecord, AppError> {
    sqlx::query_as::<_, DoctorRecord>(&format!("{RECORD_SELECT} WHERE d.id = $1"))
        .bind(doctor_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound("This doctor".to_owned()))
}

const DOCTORS: &str = "
     WHERE ($1 = '%%' OR (u.first_name || ' ' || u.last_name) ILIKE $1
                      OR u.email ILIKE $1 OR d.license_number ILIKE $1)
       AND ($2::text IS NULL
            OR ($2 = 'inactive' AND NOT d.is_active)
            OR ($2 = 'invited' AND d.is_active AND u.email_verified_at IS NULL)
            OR ($2 = 'active' AND d.is_active AND u.email_verified_at IS NOT NULL))";

/// One page of the doctors' records matching `query`, by last name.
pub async fn doctors(
    pool: &PgPool,
    query: &DoctorQuery,
) -> Result<ListPage<DoctorRecord>, AppError> {
    let status = query.status.map(DoctorStatus::as_str);
    let matching: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM doctors d JOIN users u ON u.id = d.user_id {DOCTORS}"
    ))
    .bind(pattern(&query.search))
    .bind(status)
    .fetch_one(pool)
    .await?;
    let page = offset(query.page, ROWS_PER_PAGE);
    let rows = doctor_rows(pool, query, ROWS_PER_PAGE, page).await?;
    Ok(list_page(rows, matching, query.page))
}

async fn doctor_rows(
    pool: &PgPool,
    query: &DoctorQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<DoctorRecord>, AppError> {
    Ok(sqlx::query_as::<_, DoctorRecord>(&format!(
        "{} {DOCTORS}
          ORDER BY lower(u.last_name), lower(u.first_name), d.id LIMIT $3 OFFSET $4",
        RECORD_SELECT
    ))
    .bind(pattern(&query.search))
    .bind(query.status.map(DoctorStatus::as_str))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?)
}

/// `/admin/doctors.csv`: every doctor's record the filters match.
impl CsvExport for DoctorRecord {
    type Params = DoctorParams;
    const ROLE: UserRole = UserRole::Admin;
    const FILE: &'static str = "doctors";
    const HEADER: &'static [&'static str] = &[
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "specialty",
        "license_number",
        "experience_years",
        "consultation_fee",
        "status",
    ];

    async fn rows(
        pool: &PgPool,
        _: &ClinicSettings,
        _: i64,
        params: &DoctorParams,
    ) -> Result<Vec<Self>, AppError> {
        doctor_rows(pool, &DoctorQuery::parse(params)?, EXPORT_LIMIT, 0).await
    }

    fn record(self, _: &ClinicSettings) -> Vec<String> {
        let status = DoctorStatus::of(self.is_active, self.password_set);
        vec![
            self.id.to_string(),
            self.first_name,
            self.last_name,
            self.email,
            self.phone_number,
            self.specialty,
            self.license_number,
            self.experience_years.to_string(),
            Money::from_decimal(self.consultation_fee)
                .amount()
                .to_string(),
            status.as_str().to_owned(),
        ]
    }
}

/// The doctor's own bio and fee.
pub async fn practice(pool: &PgPool, user_id: i64) -> Result<PracticeDetails, AppError> {
    let (bio, fee): (String, rust_decimal::Decimal) =
        sqlx::query_as("SELECT bio, consultation_fee FROM doctors WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::NotFound("Your doctor profile".to_owned()))?;
    Ok(PracticeDetails {
        bio,
        consultation_fee: crate::domain::Money::from_decimal(fee),
    })
}

/// A doctor changes their own bio and fee. The new fee applies to bookings made from now on;
/// booked appointments keep the fee they were booked at (it is copied onto each).
pub async fn update_practice(
    pool: &PgPool,
    user_id: i64,
    practice: &PracticeDetails,
) -> Result<(), AppError> {
    let doctor_id: i64 = sqlx::query_scalar(
        "UPDATE doctors SET bio = $2, consultation_fee = $3 WHERE user_id = $1 RETURNING id",
    )
    .bind(user_id)
    .bind(&practice.bio)
    .bind(practice.consultation_fee.amount())
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::NotFound("Your doctor profile".to_owned()))?;
    announce(pool, &[PageChange::Doctor(doctor_id)]).await;
    Ok(())
}
