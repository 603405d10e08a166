//! What each party sees of appointments: the booking page's quote, a patient's list, a doctor's
//! schedule, one appointment in full, and the times an appointment could move to. Read only.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::PgPool;

use super::{Actor, ClinicSettings};
use crate::domain::booking::{
    Actions, Alternative, AppointmentDetail, AppointmentItem, AppointmentStatus,
    AppointmentSummary, BookingQuote, MyAppointments, PaymentView, RescheduleOptions, Schedule,
    VisitMovement, check_notice,
};
use crate::domain::money::Money;
use crate::domain::request_key::RequestKey;
use crate::domain::wallet::LedgerEntry;
use crate::domain::{AppError, UserRole};
use crate::services::acting::{self, Acting};

/// What the booking page shows for `slot_id` before the patient confirms.
pub async fn quote(
    pool: &PgPool,
    settings: &ClinicSettings,
    patient_id: i64,
    slot_id: i64,
    now: DateTime<Utc>,
) -> Result<BookingQuote, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        doctor_id: i64,
        doctor_name: String,
        specialty: String,
        date: NaiveDate,
        start_time: NaiveTime,
        end_time: NaiveTime,
        is_available: bool,
        is_active: bool,
        fee: Money,
        balance: Money,
    }
    let row: Row = sqlx::query_as(
        "SELECT s.doctor_id, doctor_display_name(u.first_name, u.last_name) AS doctor_name,
                sp.name AS specialty, s.date, s.start_time, s.end_time, s.is_available,
                d.is_active, d.consultation_fee AS fee,
                (SELECT wallet_balance FROM users WHERE id = $2) AS balance
           FROM time_slots s
           JOIN doctors d ON d.id = s.doctor_id
           JOIN users u ON u.id = d.user_id
           JOIN specialties sp ON sp.id = d.specialty_id
          WHERE s.id = $1",
    )
    .bind(slot_id)
    .bind(patient_id)
    .fetch_optional(pool)
    .await?
    .filter(|row: &Row| row.is_active)
    .ok_or_else(|| AppError::NotFound("This time slot".to_owned()))?;
    let starts_at = settings.instant_of(row.date, row.start_time);
    check_notice(starts_at, settings.booking_notice, now)?;
    if !row.is_available {
        return Err(AppError::Conflict(
            "This time was just taken. Choose another one on the doctor's page.".to_owned(),
        ));
    }
    Ok(BookingQuote {
        slot_id,
        doctor_id: row.doctor_id,
        doctor_name: row.doctor_name,
        specialty: row.specialty,
        date: row.date,
        start_time: row.start_time,
        end_time: row.end_time,
        fee: row.fee,
        balance: row.balance,
        policy: settings.booking,
        request_key: RequestKey::generate().as_str().to_owned(),
    })
}

const SUMMARY_SELECT: &str = "
    SELECT a.id, a.doctor_id, doctor_display_name(du.first_name, du.last_name) AS doctor_name,
           sp.name AS specialty, a.patient_id,
           -- A deleted account has no name left (services/erasure.rs).
           COALESCE(NULLIF(btrim(p.first_name || ' ' || p.last_name), ''), 'Deleted account')
               AS patient_name,
           s.date, s.start_time, s.end_time, a.status, a.consultation_fee, a.hold_expires_at,
           EXISTS (SELECT 1 FROM reviews r WHERE r.appointment_id = a.id) AS reviewed
      FROM appointments a
      JOIN time_slots s ON s.id = a.time_slot_id
      JOIN doctors d ON d.id = a.doctor_id
      JOIN users du ON du.id = d.user_id
      JOIN specialties sp ON sp.id = d.specialty_id
      JOIN users p ON p.id = a.patient_id";

/// `appointment` as `viewer` sees it listed at `now`.
fn item(
    settings: &ClinicSettings,
    viewer: UserRole,
    appointment: AppointmentSummary,
    now: DateTime<Utc>,
) -> AppointmentItem {
    let starts_at = settings.instant_of(appointment.date, appointment.start_time);
    AppointmentItem::new(&settings.booking, viewer, appointment, starts_at, now)
}

/// A patient's appointments: upcoming (soonest first) and past (latest first).
pub async fn my_appointments(
    pool: &PgPool,
    settings: &ClinicSettings,
    patient_id: i64,
    now: DateTime<Utc>,
) -> Result<MyAppointments, AppError> {
    let rows: Vec<AppointmentSummary> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE a.patient_id = $1 ORDER BY s.date, s.start_time, a.id"
    ))
    .bind(patient_id)
    .fetch_all(pool)
    .await?;
    let (mut past, upcoming): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|row| item(settings, UserRole::Patient, row, now))
        .partition(|item| {
            item.started
                || matches!(
                    item.appointment.status,
                    AppointmentStatus::Cancelled | AppointmentStatus::Completed
                )
        });
    past.reverse();
    Ok(MyAppointments { upcoming, past })
}

/// The schedule of the practice acted for (a doctor's own, or any doctor's for an admin):
/// upcoming live appointments, started ones waiting to be completed, and the last 30 days'
/// finished ones.
pub async fn schedule(
    pool: &PgPool,
    settings: &ClinicSettings,
    practice: &Acting,
    now: DateTime<Utc>,
) -> Result<Schedule, AppError> {
    let since = settings.local_date(now - chrono::TimeDelta::days(30));
    let rows: Vec<AppointmentSummary> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE a.doctor_id = $1 AND s.date >= $2
          ORDER BY s.date, s.start_time, a.id"
    ))
    .bind(practice.doctor_id())
    .bind(since)
    .fetch_all(pool)
    .await?;
    let mut schedule = Schedule {
        upcoming: Vec::new(),
        to_complete: Vec::new(),
        recent: Vec::new(),
    };
    for row in rows {
        let item = item(settings, practice.role(), row, now);
        match (item.appointment.status, item.started) {
            (AppointmentStatus::Confirmed, true) => schedule.to_complete.push(item),
            (AppointmentStatus::Confirmed | AppointmentStatus::Pending, false) => {
                schedule.upcoming.push(item)
            }
            _ => schedule.recent.push(item),
        }
    }
    schedule.recent.reverse();
    Ok(schedule)
}

/// One appointment in full, for someone allowed to see it (else "not found").
pub async fn detail(
    pool: &PgPool,
    settings: &ClinicSettings,
    actor: Actor,
    appointment_id: i64,
    now: DateTime<Utc>,
) -> Result<AppointmentDetail, AppError> {
    let summary: AppointmentSummary = sqlx::query_as(&format!("{SUMMARY_SELECT} WHERE a.id = $1"))
        .bind(appointment_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound("This appointment".to_owned()))?;
    let allowed = match actor.role {
        UserRole::Admin => true,
        UserRole::Patient => summary.patient_id == actor.user_id,
        UserRole::Doctor => acting::own_practice(pool, actor.user_id)
            .await
            .is_ok_and(|own| own.doctor_id() == summary.doctor_id),
    };
    if !allowed {
        return Err(AppError::NotFound("This appointment".to_owned()));
    }
    #[derive(sqlx::FromRow)]
    struct Extra {
        notes: String,
        created_at: DateTime<Utc>,
        cancelled_at: Option<DateTime<Utc>>,
        cancellation_reason: String,
        rescheduled_to: Option<i64>,
        rescheduled_from: Option<i64>,
        completed_at: Option<DateTime<Utc>>,
        confirmation_sent: bool,
        balance: Money,
    }
    let extra: Extra = sqlx::query_as(
        "SELECT a.notes, a.created_at, a.cancelled_at, a.cancellation_reason, a.rescheduled_to,
                (SELECT b.id FROM appointments b WHERE b.rescheduled_to = a.id LIMIT 1) AS rescheduled_from,
                a.completed_at, a.confirmation_sent, p.wallet_balance AS balance
           FROM appointments a JOIN users p ON p.id = a.patient_id
          WHERE a.id = $1",
    )
    .bind(appointment_id)
    .fetch_one(pool)
    .await?;
    let mut payment: Option<PaymentView> = sqlx::query_as(
        "SELECT amount, status, transaction_id, paid_at FROM payments WHERE appointment_id = $1",
    )
    .bind(appointment_id)
    .fetch_optional(pool)
    .await?;
    if let Some(payment) = payment.as_mut() {
        payment.paid_local = payment.paid_at.map(|at| settings.local_time(at));
    }
    // Only this visit's rows (a check constraint keeps deposits and withdrawals off any
    // appointment); what the viewer may see of each is the domain's rule.
    let ledger: Vec<LedgerEntry> = sqlx::query_as(
        "SELECT id, created_at, transaction_type, amount, description, balance_after, appointment_id
           FROM wallet_transactions WHERE appointment_id = $1 ORDER BY id",
    )
    .bind(appointment_id)
    .fetch_all(pool)
    .await?;
    let ledger = ledger
        .into_iter()
        .map(|mut entry| {
            entry.local_at = settings.local_time(entry.created_at);
            VisitMovement::seen_by(entry, actor.role)
        })
        .collect();
    let hold_ends_at = summary.hold_expires_at.map(|at| settings.local_time(at));
    let starts_at = settings
        .instant_of(summary.date, summary.start_time)
        .unwrap_or(now);
    let cancel_refund = settings.booking.refund_for(
        actor.role,
        summary.status,
        summary.status == AppointmentStatus::Confirmed && summary.consultation_fee > Money::ZERO,
        summary.consultation_fee,
        starts_at,
        now,
    );
    let item = item(settings, actor.role, summary, now);
    Ok(AppointmentDetail {
        item,
        notes: extra.notes,
        created_at: settings.local_time(extra.created_at),
        cancelled_at: extra.cancelled_at.map(|at| settings.local_time(at)),
        cancellation_reason: extra.cancellation_reason,
        rescheduled_to: extra.rescheduled_to,
        rescheduled_from: extra.rescheduled_from,
        completed_at: extra.completed_at.map(|at| settings.local_time(at)),
        hold_ends_at,
        confirmation_sent: extra.confirmation_sent,
        payment,
        ledger,
        cancel_refund,
        balance: if actor.role == UserRole::Patient {
            extra.balance
        } else {
            Money::ZERO
        },
        request_key: RequestKey::generate().as_str().to_owned(),
        policy: settings.booking,
        viewer: actor.role,
    })
}

/// The free times a patient's confirmed appointment could move to (the next 14 days' worth of
/// the same doctor's bookable slots).
pub async fn reschedule_options(
    pool: &PgPool,
    settings: &ClinicSettings,
    patient_id: i64,
    appointment_id: i64,
    now: DateTime<Utc>,
) -> Result<RescheduleOptions, AppError> {
    let appointment: AppointmentSummary = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE a.id = $1 AND a.patient_id = $2"
    ))
    .bind(appointment_id)
    .bind(patient_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::NotFound("This appointment".to_owned()))?;
    let starts_at = settings.instant_of(appointment.date, appointment.start_time);
    let allowed = Actions::allowed(
        &settings.booking,
        UserRole::Patient,
        &appointment,
        starts_at,
        now,
    );
    if !allowed.reschedule {
        return Err(AppError::Conflict(format!(
            "Only confirmed appointments more than {} hours away can be moved.",
            settings.booking.free_cancellation_hours
        )));
    }
    let from = settings.bookable_from(now);
    let rows: Vec<(i64, NaiveDate, NaiveTime, NaiveTime)> = sqlx::query_as(
        "SELECT id, date, start_time, end_time FROM time_slots
          WHERE doctor_id = $1 AND is_available
            AND (date, start_time) > ($2::timestamp::date, $2::timestamp::time)
            AND date <= $3
          ORDER BY date, start_time
          LIMIT 200",
    )
    .bind(appointment.doctor_id)
    .bind(from)
    .bind(from.date() + chrono::Days::new(14))
    .fetch_all(pool)
    .await?;
    let fee: Money = sqlx::query_scalar("SELECT consultation_fee FROM doctors WHERE id = $1")
        .bind(appointment.doctor_id)
        .fetch_one(pool)
        .await?;
    Ok(RescheduleOptions {
        appointment,
        slots: rows
            .into_iter()
            .map(|(slot_id, date, start_time, end_time)| Alternative {
                slot_id,
                date,
                start_time,
                end_time,
            })
            .collect(),
        fee,
        request_key: RequestKey::generate().as_str().to_owned(),
    })
}
