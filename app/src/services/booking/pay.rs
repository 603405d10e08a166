//! Paying a held booking from the wallet, while its hold lasts.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::queue_confirmation;
use super::{Actor, ClinicSettings, charge, doctor_name, lock_appointment, payment_description};
use crate::domain::AppError;
use crate::domain::booking::AppointmentStatus;
use crate::domain::money::Money;
use crate::domain::request_key::RequestKey;
use crate::services::audit::{self, Action, Target};
use crate::services::idempotency::{self, Operation, Request};
use crate::services::ledger;

/// Pays a held booking from the wallet. Once per request key.
pub async fn pay(
    pool: &PgPool,
    settings: &ClinicSettings,
    patient_id: i64,
    appointment_id: i64,
    key: &RequestKey,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let fingerprint = appointment_id.to_string();
    let request = Request {
        user_id: patient_id,
        key,
        operation: Operation::Pay,
        fingerprint: &fingerprint,
    };
    idempotency::run(pool, request, async |conn| {
        pay_in(conn, settings, patient_id, appointment_id, now).await
    })
    .await
}

async fn pay_in(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    patient_id: i64,
    appointment_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let actor = Actor::patient(patient_id);
    let appointment = lock_appointment(conn, actor, appointment_id).await?;
    match appointment.status {
        AppointmentStatus::Pending => {}
        AppointmentStatus::Confirmed | AppointmentStatus::Completed => {
            return Err(AppError::Conflict(
                "This appointment is already paid.".to_owned(),
            ));
        }
        AppointmentStatus::Cancelled => {
            return Err(AppError::Conflict(
                "This booking was cancelled (an unpaid hold ends after its time). Book again."
                    .to_owned(),
            ));
        }
    }
    if appointment.hold_expires_at.is_none_or(|until| until <= now) {
        return Err(AppError::Conflict(
            "The hold on this time has ended. Book again.".to_owned(),
        ));
    }
    let balance = ledger::lock_balance(conn, patient_id).await?;
    if balance < appointment.consultation_fee {
        let short = Money::from_decimal(appointment.consultation_fee.amount() - balance.amount());
        return Err(AppError::Conflict(format!(
            "Your wallet has {balance} and this appointment costs {}. Top up at least {short}, then pay.",
            appointment.consultation_fee
        )));
    }
    let doctor_name = doctor_name(conn, appointment.doctor_id).await?;
    let description = payment_description(&doctor_name, appointment.date, appointment.start_time);
    charge(
        conn,
        patient_id,
        appointment.id,
        appointment.consultation_fee,
        &description,
        patient_id,
    )
    .await?;
    sqlx::query("UPDATE appointments SET status = 'confirmed' WHERE id = $1")
        .bind(appointment.id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        Some(patient_id),
        Action::AppointmentPay,
        Target::appointment(appointment.id),
        Some(json!({ "status": "pending" })),
        Some(json!({ "status": "confirmed", "fee": appointment.consultation_fee })),
    )
    .await?;
    queue_confirmation(conn, settings, appointment.id, now).await?;
    Ok(appointment.id)
}
