//! Specialties: listing them for everyone, and their management by admins.

use super::audit::{self, Action, Target};
use super::page_changes::{PageChange, announce};
use sqlx::PgPool;

use crate::domain::{AppError, SpecialtyDetails, SpecialtySummary};

pub async fn list(pool: &PgPool) -> Result<Vec<SpecialtySummary>, AppError> {
    let rows = sqlx::query_as::<_, SpecialtySummary>(
        "SELECT s.id, s.name, s.description,
                count(d.id) FILTER (WHERE d.is_active) AS active_doctors,
                count(d.id) AS doctors
           FROM specialties s
           LEFT JOIN doctors d ON d.specialty_id = s.id
          GROUP BY s.id
          ORDER BY lower(s.name)",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Ids and names only, alphabetically.
pub async fn names(pool: &PgPool) -> Result<Vec<(i64, String)>, AppError> {
    let rows = sqlx::query_as("SELECT id, name FROM specialties ORDER BY lower(name), id")
        .fetch_all(pool)
        .await?;
    Ok(rows)
}

/// What the audit log records of a specialty.
fn snapshot(name: &str, description: &str) -> serde_json::Value {
    serde_json::json!({ "name": name, "description": description })
}

/// Adds a specialty (recorded in the audit log as `actor`'s). Names are unique regardless of
/// case.
pub async fn create(
    pool: &PgPool,
    actor: i64,
    details: &SpecialtyDetails,
) -> Result<i64, AppError> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO specialties (name, description) VALUES ($1, $2) RETURNING id",
    )
    .bind(&details.name)
    .bind(&details.description)
    .fetch_one(&mut *tx)
    .await
    .map_err(|err| name_taken(err, &details.name))?;
    audit::record(
        &mut tx,
        Some(actor),
        Action::SpecialtyCreate,
        Target::specialty(id),
        None,
        Some(snapshot(&details.name, &details.description)),
    )
    .await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Roster]).await;
    Ok(id)
}

/// Renames and re-describes a specialty.
pub async fn update(
    pool: &PgPool,
    actor: i64,
    id: i64,
    details: &SpecialtyDetails,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let (name, description): (String, String) =
        sqlx::query_as("SELECT name, description FROM specialties WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::NotFound("This specialty".to_owned()))?;
    sqlx::query("UPDATE specialties SET name = $2, description = $3 WHERE id = $1")
        .bind(id)
        .bind(&details.name)
        .bind(&details.description)
        .execute(&mut *tx)
        .await
        .map_err(|err| name_taken(err, &details.name))?;
    audit::record(
        &mut tx,
        Some(actor),
        Action::SpecialtyUpdate,
        Target::specialty(id),
        Some(snapshot(&name, &description)),
        Some(snapshot(&details.name, &details.description)),
    )
    .await?;
    tx.commit().await?;
    // The name is on every doctor's page too.
    announce(pool, &[PageChange::Everything]).await;
    Ok(())
}

/// Deletes a specialty that no doctor practises. The schema would cascade the delete to its
/// doctors, so the check and the delete happen under a lock that also holds off a doctor being
/// added to it meanwhile (adding one takes a key-share lock on the specialty row).
pub async fn delete(pool: &PgPool, actor: i64, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT name, description FROM specialties WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((name, description)) = found else {
        return Err(AppError::NotFound("This specialty".to_owned()));
    };
    let doctors: i64 = sqlx::query_scalar("SELECT count(*) FROM doctors WHERE specialty_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if doctors > 0 {
        let them = if doctors == 1 {
            "1 doctor".to_owned()
        } else {
            format!("{doctors} doctors")
        };
        return Err(AppError::Conflict(format!(
            "{name} still has {them} (active or not). Move them to another specialty first, then delete it."
        )));
    }
    sqlx::query("DELETE FROM specialties WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Some(actor),
        Action::SpecialtyDelete,
        Target::specialty(id),
        Some(snapshot(&name, &description)),
        None,
    )
    .await?;
    tx.commit().await?;
    announce(pool, &[PageChange::Roster]).await;
    Ok(())
}

fn name_taken(err: sqlx::Error, name: &str) -> AppError {
    match err {
        sqlx::Error::Database(db) if db.constraint() == Some("specialties_name_key") => {
            AppError::validation(
                "name",
                format!("A specialty named {name:?} already exists (names ignore case)."),
            )
        }
        other => other.into(),
    }
}
