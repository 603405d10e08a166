//! Completing an appointment once it has started: its doctor, or an admin.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::{Actor, ClinicSettings, lock_appointment};
use crate::domain::booking::AppointmentStatus;
use crate::domain::format;
use crate::domain::{AppError, UserRole};
use crate::services::audit::{self, Action, Target};

/// Marks a confirmed appointment completed, once it has started: its doctor or an admin.
pub async fn complete(
    pool: &PgPool,
    settings: &ClinicSettings,
    actor: Actor,
    appointment_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if actor.role == UserRole::Patient {
        return Err(AppError::Forbidden);
    }
    let mut tx = pool.begin().await?;
    let appointment = lock_appointment(&mut tx, actor, appointment_id).await?;
    match appointment.status {
        AppointmentStatus::Confirmed => {}
        AppointmentStatus::Completed => {
            return Err(AppError::Conflict(
                "This appointment is already completed.".to_owned(),
            ));
        }
        AppointmentStatus::Pending => {
            return Err(AppError::Conflict(
                "This appointment is not paid yet, so it cannot be completed.".to_owned(),
            ));
        }
        AppointmentStatus::Cancelled => {
            return Err(AppError::Conflict(
                "This appointment was cancelled.".to_owned(),
            ));
        }
    }
    if !settings.has_started(appointment.date, appointment.start_time, now) {
        return Err(AppError::Conflict(format!(
            "An appointment can be completed once it has started ({} at {}).",
            format::day_month(appointment.date),
            format::clock(appointment.start_time)
        )));
    }
    sqlx::query("UPDATE appointments SET status = 'completed' WHERE id = $1")
        .bind(appointment.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Some(actor.user_id),
        Action::AppointmentComplete,
        Target::appointment(appointment.id),
        Some(json!({ "status": "confirmed" })),
        Some(json!({ "status": "completed" })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
