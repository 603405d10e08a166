//! Cancelling an appointment: the refund policy's refund back to the wallet, the slot free
//! again, and the patient emailed. Rescheduling cancels the old appointment the same way.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::{Actor, ClinicSettings, LEDGER_NAME_CHARS, doctor_name, facts, lock_appointment};
use crate::domain::booking::{AppointmentStatus, Refund};
use crate::domain::format;
use crate::domain::money::Money;
use crate::domain::request_key::RequestKey;
use crate::domain::text::shorten;
use crate::domain::wallet::TransactionType;
use crate::domain::{AppError, UserRole};
use crate::services::audit::{self, Action, Target};
use crate::services::emails;
use crate::services::idempotency::{self, Operation, Request};
use crate::services::ledger::{self, Posting};
use crate::services::outbox;
use crate::services::page_changes::{PageChange, announce};

/// What a cancellation asks for.
#[derive(Debug, Clone, Copy)]
pub struct Cancellation<'a> {
    pub appointment_id: i64,
    /// The refund the patient was shown (patients must send it; staff need not).
    pub expected_refund: Option<Money>,
    /// Why, in the canceller's words (may be empty).
    pub reason: &'a str,
}

/// Cancels an appointment. A patient cancels their own and gets the policy's refund, and must
/// name the refund they were shown (`expected_refund`), so a deadline passing between showing
/// and confirming never surprises them. A doctor (their own) or an admin (any) always refunds in
/// full, and the patient is emailed. The slot is free again. Once per request key.
pub async fn cancel(
    pool: &PgPool,
    settings: &ClinicSettings,
    actor: Actor,
    cancellation: Cancellation<'_>,
    key: &RequestKey,
    now: DateTime<Utc>,
) -> Result<Refund, AppError> {
    let Cancellation {
        appointment_id,
        expected_refund,
        reason,
    } = cancellation;
    let fingerprint = format!(
        "{appointment_id};{};{reason}",
        expected_refund
            .map(|m| m.amount().to_string())
            .unwrap_or_default()
    );
    let request = Request {
        user_id: actor.user_id,
        key,
        operation: Operation::Cancel,
        fingerprint: &fingerprint,
    };
    let refund = idempotency::run(pool, request, async |conn| {
        let rule = CancelRule {
            expected_refund,
            reason,
            rescheduled_to: None,
            closing_account: false,
        };
        cancel_in(conn, settings, actor, appointment_id, rule, now).await
    })
    .await?;
    announce(pool, &[PageChange::Appointment(appointment_id)]).await;
    Ok(refund)
}

/// How a cancellation goes: the refund the patient was shown, why, (when rescheduling) the
/// appointment that replaces this one, and whether the patient's account is being erased.
pub(super) struct CancelRule<'a> {
    pub expected_refund: Option<Money>,
    pub reason: &'a str,
    pub rescheduled_to: Option<i64>,
    /// The account is being erased: the patient confirmed the whole erasure, not this refund,
    /// and is emailed nothing (a message kept in the outbox would keep their address).
    pub closing_account: bool,
}

/// Cancels one of the appointments of an account being erased, on the erasure's transaction,
/// with the refund the policy gives `actor` (the patient themself, or the admin erasing the
/// account on request). The slot is free again; nobody is emailed.
pub async fn cancel_for_erasure(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    actor: Actor,
    appointment_id: i64,
    now: DateTime<Utc>,
) -> Result<Refund, AppError> {
    let rule = CancelRule {
        expected_refund: None,
        reason: "Account deleted",
        rescheduled_to: None,
        closing_account: true,
    };
    cancel_in(conn, settings, actor, appointment_id, rule, now).await
}

pub(super) async fn cancel_in(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    actor: Actor,
    appointment_id: i64,
    rule: CancelRule<'_>,
    now: DateTime<Utc>,
) -> Result<Refund, AppError> {
    let CancelRule {
        expected_refund,
        reason,
        rescheduled_to,
        closing_account,
    } = rule;
    let appointment = lock_appointment(conn, actor, appointment_id).await?;
    let starts_at = settings
        .instant_of(appointment.date, appointment.start_time)
        .unwrap_or(now);
    let paid = appointment.status == AppointmentStatus::Confirmed
        && appointment.consultation_fee > Money::ZERO;
    let refund = settings
        .booking
        .refund_for(
            actor.role,
            appointment.status,
            paid,
            appointment.consultation_fee,
            starts_at,
            now,
        )
        .ok_or_else(|| {
            AppError::Conflict(match appointment.status {
                AppointmentStatus::Cancelled => "This appointment is already cancelled.".to_owned(),
                AppointmentStatus::Completed => {
                    "This appointment took place, so it can no longer be cancelled.".to_owned()
                }
                _ => "This appointment has started, so it can no longer be cancelled.".to_owned(),
            })
        })?;
    if actor.role == UserRole::Patient && rescheduled_to.is_none() && !closing_account {
        refund.confirm(expected_refund)?;
    }
    let reason = reason.trim();
    sqlx::query(
        "UPDATE appointments
            SET status = 'cancelled', cancelled_by = $2, cancellation_reason = $3,
                rescheduled_to = $4
          WHERE id = $1",
    )
    .bind(appointment.id)
    .bind(actor.user_id)
    .bind(reason.chars().take(200).collect::<String>())
    .bind(rescheduled_to)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE time_slots SET is_available = TRUE WHERE id = $1")
        .bind(appointment.time_slot_id)
        .execute(&mut *conn)
        .await?;
    if !paid {
        sqlx::query("UPDATE payments SET status = 'failed' WHERE appointment_id = $1 AND status = 'pending'")
            .bind(appointment.id)
            .execute(&mut *conn)
            .await?;
    } else if refund.amount > Money::ZERO {
        let doctor_name = doctor_name(conn, appointment.doctor_id).await?;
        let description = format!(
            "Refund: appointment with {} on {} {}",
            shorten(&doctor_name, LEDGER_NAME_CHARS),
            format::short_date(appointment.date),
            if rescheduled_to.is_some() {
                "(rescheduled)"
            } else {
                "cancelled"
            }
        );
        ledger::post(
            conn,
            Posting {
                user_id: appointment.patient_id,
                kind: TransactionType::Refund,
                amount: refund.amount,
                description: &description,
                appointment_id: Some(appointment.id),
                actor: Some(actor.user_id),
            },
        )
        .await?
        .ok_or_else(|| AppError::internal("a refund was refused by the balance guard"))?;
        crate::services::counts::refunded();
        sqlx::query("UPDATE payments SET status = 'refunded' WHERE appointment_id = $1 AND status = 'completed'")
            .bind(appointment.id)
            .execute(&mut *conn)
            .await?;
    }
    audit::record(
        conn,
        Some(actor.user_id),
        if rescheduled_to.is_some() {
            Action::AppointmentReschedule
        } else {
            Action::AppointmentCancel
        },
        Target::appointment(appointment.id),
        Some(json!({ "status": appointment.status.as_str() })),
        Some(json!({
            "status": "cancelled",
            "refund": refund.amount,
            "reason": reason,
            "rescheduled_to": rescheduled_to,
        })),
    )
    .await?;
    if rescheduled_to.is_none() && !closing_account {
        let facts = facts(conn, settings, appointment.id).await?;
        let by_clinic = actor.role != UserRole::Patient;
        outbox::enqueue(
            conn,
            &emails::appointment_cancelled_email(&facts, by_clinic, reason, refund.amount),
        )
        .await?;
    }
    Ok(refund)
}
