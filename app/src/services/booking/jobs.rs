//! The background steps of booking, run by every server instance on a timer: ending unpaid
//! holds and queueing reminders. Each claims its rows with `SKIP LOCKED`, so instances share the
//! work without doing any of it twice.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::{ClinicSettings, facts};
use crate::domain::AppError;
use crate::services::audit::{self, Action, Target};
use crate::services::page_changes::{PageChange, announce};
use crate::services::{emails, outbox};

/// Cancels unpaid bookings whose hold has ended and frees their slots. Safe with several server
/// instances: each takes the rows it can lock and skips the rest. Returns how many ended.
pub async fn expire_holds(pool: &PgPool, now: DateTime<Utc>) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let expired: Vec<(i64, i64)> = sqlx::query_as(
        "UPDATE appointments a
            SET status = 'cancelled', cancellation_reason = 'Not paid within the hold'
          WHERE a.id IN (SELECT id FROM appointments
                          WHERE status = 'pending' AND hold_expires_at <= $1
                          ORDER BY hold_expires_at
                          LIMIT 500
                            FOR UPDATE SKIP LOCKED)
            AND a.status = 'pending'
      RETURNING a.id, a.time_slot_id",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    if expired.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = expired.iter().map(|(id, _)| *id).collect();
    let slots: Vec<i64> = expired.iter().map(|(_, slot)| *slot).collect();
    sqlx::query("UPDATE time_slots SET is_available = TRUE WHERE id = ANY($1)")
        .bind(&slots)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE payments SET status = 'failed' WHERE appointment_id = ANY($1) AND status = 'pending'")
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    for id in &ids {
        audit::record(
            &mut tx,
            None,
            Action::AppointmentExpireHold,
            Target::appointment(*id),
            Some(json!({ "status": "pending" })),
            Some(json!({ "status": "cancelled" })),
        )
        .await?;
    }
    tx.commit().await?;
    announce(pool, &[PageChange::SlotsOf(&slots)]).await;
    Ok(ids.len() as u64)
}

/// Queues the reminder of every confirmed appointment starting within 24 hours that has not had
/// one. Safe with several instances (rows are claimed with SKIP LOCKED). Returns how many.
pub async fn queue_reminders(
    pool: &PgPool,
    settings: &ClinicSettings,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let until = now + chrono::TimeDelta::hours(24);
    let due: Vec<i64> = sqlx::query_scalar(
        "UPDATE appointments a SET reminder_queued_at = $1
          WHERE a.id IN (
                SELECT a2.id FROM appointments a2
                  JOIN time_slots s ON s.id = a2.time_slot_id
                 WHERE a2.status = 'confirmed' AND a2.reminder_queued_at IS NULL
                   AND s.date BETWEEN $3 AND $4
                   AND timezone($5, s.date + s.start_time) > $1
                   AND timezone($5, s.date + s.start_time) <= $2
                 LIMIT 500
                   FOR UPDATE OF a2 SKIP LOCKED)
      RETURNING a.id",
    )
    .bind(now)
    .bind(until)
    .bind(settings.local_date(now))
    .bind(settings.local_date(until))
    .bind(&settings.time_zone)
    .fetch_all(&mut *tx)
    .await?;
    for id in &due {
        let facts = facts(&mut tx, settings, *id).await?;
        outbox::enqueue(&mut tx, &emails::appointment_reminder_email(&facts)).await?;
    }
    tx.commit().await?;
    Ok(due.len() as u64)
}
