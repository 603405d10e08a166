//! Moving a confirmed appointment to another free slot of the same doctor, while cancelling
//! would still be free.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::cancel::{CancelRule, cancel_in};
use super::{Actor, ClinicSettings, charge, lock_appointment, lock_slot, slot_taken};
use super::{payment_description, queue_confirmation};
use crate::domain::AppError;
use crate::domain::booking::{AppointmentStatus, BookingOutcome};
use crate::domain::money::Money;
use crate::domain::request_key::RequestKey;
use crate::services::audit::{self, Action, Target};
use crate::services::idempotency::{self, Operation, Request};
use crate::services::ledger;
use crate::services::page_changes::{PageChange, announce};

/// Moves a confirmed appointment to another free slot of the same doctor: the old one is
/// cancelled with a full refund and the new one booked at the doctor's current fee, in one
/// transaction, so the wallet settles the difference. Allowed while cancelling would still be
/// free; the new time must respect the booking notice. Once per request key.
pub async fn reschedule(
    pool: &PgPool,
    settings: &ClinicSettings,
    patient_id: i64,
    appointment_id: i64,
    new_slot_id: i64,
    key: &RequestKey,
    now: DateTime<Utc>,
) -> Result<BookingOutcome, AppError> {
    let fingerprint = format!("{appointment_id};{new_slot_id}");
    let request = Request {
        user_id: patient_id,
        key,
        operation: Operation::Reschedule,
        fingerprint: &fingerprint,
    };
    let outcome = idempotency::run(pool, request, async |conn| {
        reschedule_in(conn, settings, patient_id, appointment_id, new_slot_id, now).await
    })
    .await?;
    announce(pool, &[PageChange::Appointment(appointment_id)]).await;
    Ok(outcome)
}

async fn reschedule_in(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    patient_id: i64,
    appointment_id: i64,
    new_slot_id: i64,
    now: DateTime<Utc>,
) -> Result<BookingOutcome, AppError> {
    let actor = Actor::patient(patient_id);
    let old = lock_appointment(conn, actor, appointment_id).await?;
    if old.status != AppointmentStatus::Confirmed {
        return Err(AppError::Conflict(
            "Only a confirmed appointment can be moved.".to_owned(),
        ));
    }
    let starts_at = settings.instant_of(old.date, old.start_time).unwrap_or(now);
    if now > starts_at - settings.booking.free_cancellation() {
        return Err(AppError::Conflict(format!(
            "Appointments can be moved until {} hours before they start.",
            settings.booking.free_cancellation_hours
        )));
    }
    let slot = lock_slot(conn, new_slot_id).await?;
    if slot.doctor_id != old.doctor_id {
        return Err(AppError::validation(
            "slot_id",
            "Choose another time with the same doctor.",
        ));
    }
    if let Some(taken) = slot_taken(conn, settings, &slot, now).await? {
        return Ok(taken);
    }
    let balance = ledger::lock_balance(conn, patient_id).await?;
    let available = Money::from_decimal(balance.amount() + old.consultation_fee.amount());
    if available < slot.fee {
        return Err(AppError::Conflict(format!(
            "The new time costs {} and your wallet with this appointment's refund holds {available}. Top up at least {}, then try again.",
            slot.fee,
            Money::from_decimal(slot.fee.amount() - available.amount())
        )));
    }
    let new_id: i64 = sqlx::query_scalar(
        "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee, notes)
         SELECT patient_id, doctor_id, $2, 'confirmed', $3, notes FROM appointments WHERE id = $1
         RETURNING id",
    )
    .bind(old.id)
    .bind(slot.id)
    .bind(slot.fee)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE time_slots SET is_available = FALSE WHERE id = $1")
        .bind(slot.id)
        .execute(&mut *conn)
        .await?;
    // The old one goes first, so its refund is in the wallet before the new fee is taken.
    let rule = CancelRule {
        expected_refund: None,
        reason: "Moved to another time",
        rescheduled_to: Some(new_id),
        closing_account: false,
    };
    cancel_in(conn, settings, actor, old.id, rule, now).await?;
    let description = payment_description(&slot.doctor_name, slot.date, slot.start_time);
    charge(conn, patient_id, new_id, slot.fee, &description, patient_id).await?;
    audit::record(
        conn,
        Some(patient_id),
        Action::AppointmentBook,
        Target::appointment(new_id),
        None,
        Some(json!({ "slot_id": slot.id, "rescheduled_from": old.id, "fee": slot.fee })),
    )
    .await?;
    queue_confirmation(conn, settings, new_id, now).await?;
    Ok(BookingOutcome::Confirmed {
        appointment_id: new_id,
    })
}
