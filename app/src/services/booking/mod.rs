//! Booking and the life of an appointment: book (paid from the wallet, or held for payment),
//! pay a held booking, cancel with the refund policy, reschedule, complete, the background
//! steps (expiring holds, reminders) and the read models (lists, schedule, detail). One file per
//! command; this one holds what several share (locking, charging, the emails' facts). The rules
//! that need no database (notice, refunds, allowed actions) are the domain's.
//!
//! Locks are always taken in one order, so concurrent requests queue instead of deadlocking:
//! the appointment row, then slot rows, then the patient's wallet (their `users` row). The
//! database has the last word on every race: one live appointment per slot (a partial unique
//! index), one payment and one refund ledger row per appointment, balances never below zero.

mod book;
mod cancel;
mod complete;
mod jobs;
mod pay;
mod reschedule;
mod views;

pub use book::book;
pub use cancel::{Cancellation, cancel, cancel_for_erasure};
pub use complete::complete;
pub use jobs::{expire_holds, queue_reminders};
pub use pay::pay;
pub use reschedule::reschedule;
pub use views::{detail, my_appointments, quote, reschedule_options, schedule};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::PgConnection;

use super::ClinicSettings;
use super::emails::{self, AppointmentFacts};
use super::ledger::{self, Posting};
use super::outbox;
use crate::domain::booking::{Alternative, AppointmentStatus, BookingOutcome, check_notice};
use crate::domain::format;
use crate::domain::money::Money;
use crate::domain::text::shorten;
use crate::domain::wallet::TransactionType;
use crate::domain::{AppError, UserRole};

/// How many nearby free slots a patient is offered when theirs was just taken.
const ALTERNATIVES: i64 = 4;
/// The most of a doctor's name a ledger row's description quotes, so the date still fits the
/// column (`wallet_transactions.description VARCHAR(200)`) after a 300-character name.
const LEDGER_NAME_CHARS: usize = 100;

/// Who is acting, as the services need to know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: UserRole,
}

impl Actor {
    /// A patient acting on their own appointments.
    pub fn patient(user_id: i64) -> Self {
        Self {
            user_id,
            role: UserRole::Patient,
        }
    }
}

/// A slot locked for booking, with its doctor.
#[derive(sqlx::FromRow)]
struct LockedSlot {
    id: i64,
    doctor_id: i64,
    date: NaiveDate,
    start_time: NaiveTime,
    is_available: bool,
    doctor_active: bool,
    fee: Money,
    doctor_name: String,
}

async fn lock_slot(conn: &mut PgConnection, slot_id: i64) -> Result<LockedSlot, AppError> {
    sqlx::query_as(
        "SELECT s.id, s.doctor_id, s.date, s.start_time, s.is_available,
                d.is_active AS doctor_active, d.consultation_fee AS fee,
                doctor_display_name(u.first_name, u.last_name) AS doctor_name
           FROM time_slots s
           JOIN doctors d ON d.id = s.doctor_id
           JOIN users u ON u.id = d.user_id
          WHERE s.id = $1
            FOR UPDATE OF s",
    )
    .bind(slot_id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| AppError::NotFound("This time slot".to_owned()))
}

/// Whether `slot` may be booked now: refuses one that starts too soon, and answers one that was
/// just taken with the nearest free times of the same doctor.
async fn slot_taken(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    slot: &LockedSlot,
    now: DateTime<Utc>,
) -> Result<Option<BookingOutcome>, AppError> {
    let starts_at = settings.instant_of(slot.date, slot.start_time);
    check_notice(starts_at, settings.booking_notice, now)?;
    if slot.is_available {
        return Ok(None);
    }
    let near = slot.date.and_time(slot.start_time);
    let alternatives = alternatives(conn, settings, slot.doctor_id, near, slot.id, now).await?;
    Ok(Some(BookingOutcome::SlotTaken { alternatives }))
}

/// The nearest bookable free slots of `doctor_id` around `near` (the taken slot's start).
async fn alternatives(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    doctor_id: i64,
    near: chrono::NaiveDateTime,
    except: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Alternative>, AppError> {
    let rows: Vec<(i64, NaiveDate, NaiveTime, NaiveTime)> = sqlx::query_as(
        "SELECT id, date, start_time, end_time FROM (
             (SELECT id, date, start_time, end_time FROM time_slots
               WHERE doctor_id = $1 AND is_available AND id <> $4
                 AND (date, start_time) >= ($2::timestamp::date, $2::timestamp::time)
                 AND (date, start_time) > ($3::timestamp::date, $3::timestamp::time)
               ORDER BY date, start_time LIMIT $5)
             UNION ALL
             (SELECT id, date, start_time, end_time FROM time_slots
               WHERE doctor_id = $1 AND is_available AND id <> $4
                 AND (date, start_time) < ($2::timestamp::date, $2::timestamp::time)
                 AND (date, start_time) > ($3::timestamp::date, $3::timestamp::time)
               ORDER BY date DESC, start_time DESC LIMIT $5)
         ) nearby
         ORDER BY abs(extract(epoch FROM (date + start_time) - $2::timestamp)), date, start_time
         LIMIT $5",
    )
    .bind(doctor_id)
    .bind(near)
    .bind(settings.bookable_from(now))
    .bind(except)
    .bind(ALTERNATIVES)
    .fetch_all(conn)
    .await?;
    let mut slots: Vec<Alternative> = rows
        .into_iter()
        .map(|(slot_id, date, start_time, end_time)| Alternative {
            slot_id,
            date,
            start_time,
            end_time,
        })
        .collect();
    slots.sort_by_key(|s| (s.date, s.start_time));
    Ok(slots)
}

/// "Thursday 10 December 2026, 09:00–09:30 (Europe/London)".
fn when(settings: &ClinicSettings, date: NaiveDate, start: NaiveTime, end: NaiveTime) -> String {
    format!(
        "{}, {}–{} ({})",
        format::long_day_year(date),
        format::clock(start),
        format::clock(end),
        settings.time_zone
    )
}

/// Everything the emails need about one appointment.
async fn facts(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    appointment_id: i64,
) -> Result<AppointmentFacts, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        email: String,
        patient_name: String,
        doctor_name: String,
        specialty: String,
        date: NaiveDate,
        start_time: NaiveTime,
        end_time: NaiveTime,
        consultation_fee: Money,
    }
    let row: Row = sqlx::query_as(
        "SELECT p.email, p.first_name AS patient_name,
                doctor_display_name(du.first_name, du.last_name) AS doctor_name,
                sp.name AS specialty, s.date, s.start_time, s.end_time, a.consultation_fee
           FROM appointments a
           JOIN users p ON p.id = a.patient_id
           JOIN doctors d ON d.id = a.doctor_id
           JOIN users du ON du.id = d.user_id
           JOIN specialties sp ON sp.id = d.specialty_id
           JOIN time_slots s ON s.id = a.time_slot_id
          WHERE a.id = $1",
    )
    .bind(appointment_id)
    .fetch_one(conn)
    .await?;
    let starts_at = settings
        .instant_of(row.date, row.start_time)
        .unwrap_or_else(|| settings.start_of_day(row.date));
    let ends_at = settings
        .instant_of(row.date, row.end_time)
        .unwrap_or(starts_at);
    Ok(AppointmentFacts {
        appointment_id,
        patient_email: row.email,
        patient_name: row.patient_name,
        doctor_name: row.doctor_name,
        specialty: row.specialty,
        when: when(settings, row.date, row.start_time, row.end_time),
        starts_at,
        ends_at,
        fee: row.consultation_fee,
        link: format!(
            "{}/appointments/{appointment_id}",
            settings.public_url.trim_end_matches('/')
        ),
    })
}

fn new_transaction_id() -> String {
    format!("pay_{}", uuid::Uuid::new_v4().simple())
}

fn payment_description(doctor_name: &str, date: NaiveDate, start: NaiveTime) -> String {
    format!(
        "Appointment with {} on {} at {}",
        shorten(doctor_name, LEDGER_NAME_CHARS),
        format::short_date(date),
        format::clock(start)
    )
}

/// Takes the fee from the patient's wallet for `appointment_id` and marks its payment completed.
/// The caller has checked (under the wallet lock) that the money is there.
async fn charge(
    conn: &mut PgConnection,
    patient_id: i64,
    appointment_id: i64,
    fee: Money,
    description: &str,
    actor: i64,
) -> Result<(), AppError> {
    if fee == Money::ZERO {
        // A free consultation moves no money and has no payment.
        return Ok(());
    }
    ledger::post(
        conn,
        Posting {
            user_id: patient_id,
            kind: TransactionType::Payment,
            amount: fee,
            description,
            appointment_id: Some(appointment_id),
            actor: Some(actor),
        },
    )
    .await?
    .ok_or_else(|| AppError::internal("a checked payment was refused by the balance guard"))?;
    let updated = sqlx::query(
        "UPDATE payments SET status = 'completed', paid_at = now()
          WHERE appointment_id = $1 AND status = 'pending'",
    )
    .bind(appointment_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        sqlx::query(
            "INSERT INTO payments (appointment_id, amount, status, transaction_id, paid_at)
             VALUES ($1, $2, 'completed', $3, now())",
        )
        .bind(appointment_id)
        .bind(fee)
        .bind(new_transaction_id())
        .execute(&mut *conn)
        .await?;
    }
    crate::services::counts::paid();
    Ok(())
}

async fn queue_confirmation(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    appointment_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let facts = facts(conn, settings, appointment_id).await?;
    outbox::enqueue(conn, &emails::appointment_confirmed_email(&facts, now)).await?;
    Ok(())
}

/// An appointment locked for a change, with what the rules need.
#[derive(sqlx::FromRow)]
struct LockedAppointment {
    id: i64,
    patient_id: i64,
    doctor_id: i64,
    time_slot_id: i64,
    #[sqlx(try_from = "String")]
    status: AppointmentStatus,
    consultation_fee: Money,
    hold_expires_at: Option<DateTime<Utc>>,
    date: NaiveDate,
    start_time: NaiveTime,
    doctor_user_id: i64,
}

/// Locks an appointment `actor` may act on: a patient their own, a doctor theirs, an admin any.
/// Someone else's appointment is "not found", so ids reveal nothing.
async fn lock_appointment(
    conn: &mut PgConnection,
    actor: Actor,
    appointment_id: i64,
) -> Result<LockedAppointment, AppError> {
    let found: Option<LockedAppointment> = sqlx::query_as(
        "SELECT a.id, a.patient_id, a.doctor_id, a.time_slot_id, a.status, a.consultation_fee,
                a.hold_expires_at, s.date, s.start_time, d.user_id AS doctor_user_id
           FROM appointments a
           JOIN time_slots s ON s.id = a.time_slot_id
           JOIN doctors d ON d.id = a.doctor_id
          WHERE a.id = $1
            FOR UPDATE OF a",
    )
    .bind(appointment_id)
    .fetch_optional(conn)
    .await?;
    let visible = |a: &LockedAppointment| match actor.role {
        UserRole::Admin => true,
        UserRole::Patient => a.patient_id == actor.user_id,
        UserRole::Doctor => a.doctor_user_id == actor.user_id,
    };
    found
        .filter(visible)
        .ok_or_else(|| AppError::NotFound("This appointment".to_owned()))
}

async fn doctor_name(conn: &mut PgConnection, doctor_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT doctor_display_name(u.first_name, u.last_name)
           FROM doctors d JOIN users u ON u.id = d.user_id WHERE d.id = $1",
    )
    .bind(doctor_id)
    .fetch_one(conn)
    .await?)
}
