//! Booking a slot: confirmed and paid from the wallet, or held for payment when the money is
//! not there (a capped number of holds at once).

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::{ClinicSettings, queue_confirmation};
use super::{charge, lock_slot, new_transaction_id, payment_description, slot_taken};
use crate::domain::AppError;
use crate::domain::booking::{AppointmentStatus, BookingOutcome};
use crate::domain::money::Money;
use crate::domain::request_key::RequestKey;
use crate::services::audit::{self, Action, Target};
use crate::services::idempotency::{self, Operation, Request};
use crate::services::ledger;
use crate::services::page_changes::{PageChange, announce};

/// Books `slot_id` for `patient_id`: confirmed and paid when the wallet holds the fee, held for
/// payment otherwise. Once per request key. The patient must be a verified patient (the caller
/// checks the role; this checks the rest).
pub async fn book(
    pool: &PgPool,
    settings: &ClinicSettings,
    patient_id: i64,
    slot_id: i64,
    notes: &str,
    key: &RequestKey,
    now: DateTime<Utc>,
) -> Result<BookingOutcome, AppError> {
    let fingerprint = format!("{slot_id};{notes}");
    let request = Request {
        user_id: patient_id,
        key,
        operation: Operation::Book,
        fingerprint: &fingerprint,
    };
    let outcome = idempotency::run(pool, request, async |conn| {
        book_in(conn, settings, patient_id, slot_id, notes, now).await
    })
    .await?;
    announce(pool, &[PageChange::SlotsOf(&[slot_id])]).await;
    Ok(outcome)
}

/// Refuses another unpaid hold when the patient already has as many as the clinic allows.
async fn check_unpaid_holds(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    patient_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let holds: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM appointments
          WHERE patient_id = $1 AND status = 'pending' AND hold_expires_at > $2",
    )
    .bind(patient_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    settings.booking.check_unpaid_holds(holds)
}

async fn book_in(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    patient_id: i64,
    slot_id: i64,
    notes: &str,
    now: DateTime<Utc>,
) -> Result<BookingOutcome, AppError> {
    let slot = lock_slot(conn, slot_id).await?;
    if !slot.doctor_active {
        return Err(AppError::Conflict(format!(
            "{} is not taking bookings at the moment.",
            slot.doctor_name
        )));
    }
    if let Some(taken) = slot_taken(conn, settings, &slot, now).await? {
        return Ok(taken);
    }
    let balance = ledger::lock_balance(conn, patient_id).await?;
    let paid_now = balance >= slot.fee;
    if !paid_now {
        // The wallet row is locked, so the patient's parallel bookings count one at a time.
        check_unpaid_holds(conn, settings, patient_id, now).await?;
    }
    let hold_expires_at = now + settings.booking.payment_hold();
    let status = if paid_now {
        AppointmentStatus::Confirmed
    } else {
        AppointmentStatus::Pending
    };
    let appointment_id: i64 = sqlx::query_scalar(
        "INSERT INTO appointments
                (patient_id, doctor_id, time_slot_id, status, consultation_fee, notes, hold_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id",
    )
    .bind(patient_id)
    .bind(slot.doctor_id)
    .bind(slot.id)
    .bind(status.as_str())
    .bind(slot.fee)
    .bind(notes)
    .bind((!paid_now).then_some(hold_expires_at))
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE time_slots SET is_available = FALSE WHERE id = $1")
        .bind(slot.id)
        .execute(&mut *conn)
        .await?;
    let description = payment_description(&slot.doctor_name, slot.date, slot.start_time);
    if paid_now {
        charge(
            conn,
            patient_id,
            appointment_id,
            slot.fee,
            &description,
            patient_id,
        )
        .await?;
        queue_confirmation(conn, settings, appointment_id, now).await?;
    } else {
        sqlx::query(
            "INSERT INTO payments (appointment_id, amount, status, transaction_id)
             VALUES ($1, $2, 'pending', $3)",
        )
        .bind(appointment_id)
        .bind(slot.fee)
        .bind(new_transaction_id())
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        Some(patient_id),
        Action::AppointmentBook,
        Target::appointment(appointment_id),
        None,
        Some(json!({
            "slot_id": slot.id,
            "doctor_id": slot.doctor_id,
            "status": status.as_str(),
            "fee": slot.fee,
        })),
    )
    .await?;
    crate::services::counts::booked(paid_now);
    Ok(if paid_now {
        BookingOutcome::Confirmed { appointment_id }
    } else {
        BookingOutcome::AwaitingPayment {
            appointment_id,
            hold_expires_at,
            shortfall: Money::from_decimal(slot.fee.amount() - balance.amount()),
        }
    })
}
