//! Booking and the life of an appointment: book (paid from the wallet, or held for payment),
//! pay a held booking, cancel with the refund policy, reschedule, complete, and the background
//! steps (expiring holds, reminders).
//!
//! Locks are always taken in one order, so concurrent requests queue instead of deadlocking:
//! the appointment row, then slot rows, then the patient's wallet (their `users` row). The
//! database has the last word on every race: one live appointment per slot (a partial unique
//! index), one payment and one refund ledger row per appointment, balances never below zero.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::ClinicSettings;
use super::audit::{self, Target};
use super::emails::{self, AppointmentFacts};
use super::idempotency::{self, Request};
use super::ledger::{self, Posting};
use super::outbox;
use crate::domain::booking::{
    Actions, Alternative, AppointmentDetail, AppointmentItem, AppointmentStatus,
    AppointmentSummary, BookingOutcome, BookingQuote, MyAppointments, PaymentView, Refund,
    RefundRule, RequestKey, RescheduleOptions, Schedule, VisitMovement,
};
use crate::domain::money::Money;
use crate::domain::text::shorten;
use crate::domain::wallet::{LedgerEntry, TransactionType};
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

/// Commits a savepoint when its work succeeded, rolls it back otherwise.
async fn close_savepoint<T>(
    work: sqlx::Transaction<'_, sqlx::Postgres>,
    answer: &Result<T, AppError>,
) -> Result<(), AppError> {
    if answer.is_ok() {
        work.commit().await?;
    } else {
        work.rollback().await?;
    }
    Ok(())
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
                'Dr. ' || u.first_name || ' ' || u.last_name AS doctor_name
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

/// Refuses a slot that starts too soon to book, saying until when booking was open.
fn check_notice(
    settings: &ClinicSettings,
    date: NaiveDate,
    start: NaiveTime,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    let starts_at = settings.instant_of(date, start).ok_or_else(|| {
        AppError::Conflict("This time does not exist in the clinic's time zone.".to_owned())
    })?;
    if starts_at <= now {
        return Err(AppError::Conflict(
            "This time has already passed. Choose a later one.".to_owned(),
        ));
    }
    if starts_at <= now + settings.booking_notice {
        let hours = settings.booking_notice.num_minutes() as f64 / 60.0;
        return Err(AppError::Conflict(format!(
            "This time starts too soon: bookings close {} before the start. Choose a later one.",
            if hours >= 1.0 && hours.fract() == 0.0 {
                format!("{hours:.0} hour{}", if hours == 1.0 { "" } else { "s" })
            } else {
                format!("{} minutes", settings.booking_notice.num_minutes())
            }
        )));
    }
    Ok(starts_at)
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
        date.format("%A %-d %B %Y"),
        start.format("%H:%M"),
        end.format("%H:%M"),
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
                'Dr. ' || du.first_name || ' ' || du.last_name AS doctor_name,
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
        date.format("%-d %b %Y"),
        start.format("%H:%M")
    )
}

/// Takes the fee from the patient's wallet for `appointment_id` and marks its payment completed.
/// The caller has checked (under the wallet lock) that the money is there.
#[allow(clippy::too_many_arguments)]
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
        "SELECT s.doctor_id, 'Dr. ' || u.first_name || ' ' || u.last_name AS doctor_name,
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
    check_notice(settings, row.date, row.start_time, now)?;
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
        operation: "book",
        fingerprint: &fingerprint,
    };
    let mut tx = pool.begin().await?;
    if let Some(answer) = idempotency::claim(&mut tx, request).await? {
        return answer;
    }
    let mut work = sqlx::Acquire::begin(&mut tx).await?;
    let answer = book_in(&mut work, settings, patient_id, slot_id, notes, now).await;
    close_savepoint(work, &answer).await?;
    idempotency::settle(tx, request, answer).await
}

/// Refuses another unpaid hold when the patient already has as many as the clinic allows:
/// without a cap, one patient with an empty wallet could hold every free slot, again and again.
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
    let allowed = i64::from(settings.booking.max_unpaid_holds);
    if holds >= allowed {
        return Err(AppError::Conflict(format!(
            "You already hold {holds} unpaid time{} for payment, the most at once. Top up your wallet and pay for {}, or cancel one, before booking another time without the money for it.",
            if holds == 1 { "" } else { "s" },
            if holds == 1 { "it" } else { "one" },
        )));
    }
    Ok(())
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
    check_notice(settings, slot.date, slot.start_time, now)?;
    if !slot.is_available {
        let alternatives = alternatives(
            conn,
            settings,
            slot.doctor_id,
            slot.date.and_time(slot.start_time),
            slot.id,
            now,
        )
        .await?;
        return Ok(BookingOutcome::SlotTaken { alternatives });
    }
    let balance = ledger::lock_balance(conn, patient_id).await?;
    let paid_now = balance >= slot.fee;
    if !paid_now {
        // The wallet row is locked, so the patient's parallel bookings count one at a time.
        check_unpaid_holds(conn, settings, patient_id, now).await?;
    }
    let hold_expires_at = now + settings.booking.payment_hold();
    let appointment_id: i64 = sqlx::query_scalar(
        "INSERT INTO appointments
                (patient_id, doctor_id, time_slot_id, status, consultation_fee, notes, hold_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id",
    )
    .bind(patient_id)
    .bind(slot.doctor_id)
    .bind(slot.id)
    .bind(if paid_now { "confirmed" } else { "pending" })
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
        "appointment.book",
        Target::new("appointment", appointment_id),
        None,
        Some(json!({
            "slot_id": slot.id,
            "doctor_id": slot.doctor_id,
            "status": if paid_now { "confirmed" } else { "pending" },
            "fee": slot.fee,
        })),
    )
    .await?;
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
        operation: "pay",
        fingerprint: &fingerprint,
    };
    let mut tx = pool.begin().await?;
    if let Some(answer) = idempotency::claim(&mut tx, request).await? {
        return answer;
    }
    let mut work = sqlx::Acquire::begin(&mut tx).await?;
    let answer = pay_in(&mut work, settings, patient_id, appointment_id, now).await;
    close_savepoint(work, &answer).await?;
    idempotency::settle(tx, request, answer).await
}

async fn pay_in(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    patient_id: i64,
    appointment_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let actor = Actor {
        user_id: patient_id,
        role: UserRole::Patient,
    };
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
        "appointment.pay",
        Target::new("appointment", appointment.id),
        Some(json!({ "status": "pending" })),
        Some(json!({ "status": "confirmed", "fee": appointment.consultation_fee })),
    )
    .await?;
    queue_confirmation(conn, settings, appointment.id, now).await?;
    Ok(appointment.id)
}

async fn doctor_name(conn: &mut PgConnection, doctor_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT 'Dr. ' || u.first_name || ' ' || u.last_name
           FROM doctors d JOIN users u ON u.id = d.user_id WHERE d.id = $1",
    )
    .bind(doctor_id)
    .fetch_one(conn)
    .await?)
}

/// What cancelling would give back right now, for the person asking; `None` when they cannot
/// cancel it.
fn refund_for(
    settings: &ClinicSettings,
    actor: Actor,
    status: AppointmentStatus,
    paid: bool,
    fee: Money,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Refund> {
    let cancellable = match status {
        AppointmentStatus::Pending => true,
        // A patient can cancel until the start; the clinic also afterwards (a no-show doctor).
        AppointmentStatus::Confirmed => actor.role != UserRole::Patient || starts_at > now,
        AppointmentStatus::Completed | AppointmentStatus::Cancelled => false,
    };
    if !cancellable {
        return None;
    }
    Some(if !paid {
        Refund {
            amount: Money::ZERO,
            rule: RefundRule::NothingPaid,
        }
    } else if actor.role == UserRole::Patient {
        settings.booking.patient_refund(fee, starts_at, now)
    } else {
        Refund {
            amount: fee,
            rule: RefundRule::Full,
        }
    })
}

/// Cancels an appointment. A patient cancels their own and gets the policy's refund, and must
/// name the refund they were shown (`expected_refund`), so a deadline passing between showing
/// and confirming never surprises them. A doctor (their own) or an admin (any) always refunds in
/// full, and the patient is emailed. The slot is free again. Once per request key.
#[allow(clippy::too_many_arguments)]
pub async fn cancel(
    pool: &PgPool,
    settings: &ClinicSettings,
    actor: Actor,
    appointment_id: i64,
    expected_refund: Option<Money>,
    reason: &str,
    key: &RequestKey,
    now: DateTime<Utc>,
) -> Result<Refund, AppError> {
    let fingerprint = format!(
        "{appointment_id};{};{reason}",
        expected_refund
            .map(|m| m.amount().to_string())
            .unwrap_or_default()
    );
    let request = Request {
        user_id: actor.user_id,
        key,
        operation: "cancel",
        fingerprint: &fingerprint,
    };
    let mut tx = pool.begin().await?;
    if let Some(answer) = idempotency::claim(&mut tx, request).await? {
        return answer;
    }
    let mut work = sqlx::Acquire::begin(&mut tx).await?;
    let answer = cancel_in(
        &mut work,
        settings,
        actor,
        appointment_id,
        expected_refund,
        reason,
        None,
        now,
    )
    .await;
    close_savepoint(work, &answer).await?;
    idempotency::settle(tx, request, answer).await
}

#[allow(clippy::too_many_arguments)]
async fn cancel_in(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    actor: Actor,
    appointment_id: i64,
    expected_refund: Option<Money>,
    reason: &str,
    rescheduled_to: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Refund, AppError> {
    let appointment = lock_appointment(conn, actor, appointment_id).await?;
    let starts_at = settings
        .instant_of(appointment.date, appointment.start_time)
        .unwrap_or(now);
    let paid = appointment.status == AppointmentStatus::Confirmed
        && appointment.consultation_fee > Money::ZERO;
    let refund = refund_for(
        settings,
        actor,
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
    if actor.role == UserRole::Patient && rescheduled_to.is_none() {
        match expected_refund {
            Some(expected) if expected == refund.amount => {}
            _ => {
                return Err(AppError::Conflict(format!(
                    "Cancelling now refunds {}{}. Please confirm again.",
                    refund.amount,
                    match refund.rule {
                        RefundRule::Late { percent } => format!(
                            " ({percent}% of the fee: the free cancellation period has ended)"
                        ),
                        _ => String::new(),
                    }
                )));
            }
        }
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
            appointment.date.format("%-d %b %Y"),
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
        sqlx::query("UPDATE payments SET status = 'refunded' WHERE appointment_id = $1 AND status = 'completed'")
            .bind(appointment.id)
            .execute(&mut *conn)
            .await?;
    }
    audit::record(
        conn,
        Some(actor.user_id),
        if rescheduled_to.is_some() {
            "appointment.reschedule"
        } else {
            "appointment.cancel"
        },
        Target::new("appointment", appointment.id),
        Some(json!({ "status": appointment.status.as_str() })),
        Some(json!({
            "status": "cancelled",
            "refund": refund.amount,
            "reason": reason,
            "rescheduled_to": rescheduled_to,
        })),
    )
    .await?;
    if rescheduled_to.is_none() {
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
        operation: "reschedule",
        fingerprint: &fingerprint,
    };
    let mut tx = pool.begin().await?;
    if let Some(answer) = idempotency::claim(&mut tx, request).await? {
        return answer;
    }
    let mut work = sqlx::Acquire::begin(&mut tx).await?;
    let answer = reschedule_in(
        &mut work,
        settings,
        patient_id,
        appointment_id,
        new_slot_id,
        now,
    )
    .await;
    close_savepoint(work, &answer).await?;
    idempotency::settle(tx, request, answer).await
}

async fn reschedule_in(
    conn: &mut PgConnection,
    settings: &ClinicSettings,
    patient_id: i64,
    appointment_id: i64,
    new_slot_id: i64,
    now: DateTime<Utc>,
) -> Result<BookingOutcome, AppError> {
    let actor = Actor {
        user_id: patient_id,
        role: UserRole::Patient,
    };
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
    check_notice(settings, slot.date, slot.start_time, now)?;
    if !slot.is_available {
        let alternatives = alternatives(
            conn,
            settings,
            slot.doctor_id,
            slot.date.and_time(slot.start_time),
            slot.id,
            now,
        )
        .await?;
        return Ok(BookingOutcome::SlotTaken { alternatives });
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
    cancel_in(
        conn,
        settings,
        actor,
        old.id,
        None,
        "Moved to another time",
        Some(new_id),
        now,
    )
    .await?;
    let description = payment_description(&slot.doctor_name, slot.date, slot.start_time);
    charge(conn, patient_id, new_id, slot.fee, &description, patient_id).await?;
    audit::record(
        conn,
        Some(patient_id),
        "appointment.book",
        Target::new("appointment", new_id),
        None,
        Some(json!({ "slot_id": slot.id, "rescheduled_from": old.id, "fee": slot.fee })),
    )
    .await?;
    queue_confirmation(conn, settings, new_id, now).await?;
    Ok(BookingOutcome::Confirmed {
        appointment_id: new_id,
    })
}

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
            appointment.date.format("%-d %B"),
            appointment.start_time.format("%H:%M")
        )));
    }
    sqlx::query("UPDATE appointments SET status = 'completed' WHERE id = $1")
        .bind(appointment.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Some(actor.user_id),
        "appointment.complete",
        Target::new("appointment", appointment.id),
        Some(json!({ "status": "confirmed" })),
        Some(json!({ "status": "completed" })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

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
            "appointment.expire_hold",
            Target::new("appointment", *id),
            Some(json!({ "status": "pending" })),
            Some(json!({ "status": "cancelled" })),
        )
        .await?;
    }
    tx.commit().await?;
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

const SUMMARY_SELECT: &str = "
    SELECT a.id, a.doctor_id, 'Dr. ' || du.first_name || ' ' || du.last_name AS doctor_name,
           sp.name AS specialty, a.patient_id,
           btrim(p.first_name || ' ' || p.last_name) AS patient_name,
           s.date, s.start_time, s.end_time, a.status, a.consultation_fee, a.hold_expires_at,
           EXISTS (SELECT 1 FROM reviews r WHERE r.appointment_id = a.id) AS reviewed
      FROM appointments a
      JOIN time_slots s ON s.id = a.time_slot_id
      JOIN doctors d ON d.id = a.doctor_id
      JOIN users du ON du.id = d.user_id
      JOIN specialties sp ON sp.id = d.specialty_id
      JOIN users p ON p.id = a.patient_id";

/// What `actor` may do with `summary` at `now`.
fn actions(
    settings: &ClinicSettings,
    actor: Actor,
    summary: &AppointmentSummary,
    now: DateTime<Utc>,
) -> (bool, Actions) {
    let starts_at = settings.instant_of(summary.date, summary.start_time);
    let started = starts_at.is_none_or(|at| at <= now);
    let status = summary.status;
    let patient = actor.role == UserRole::Patient;
    let cancel = refund_for(
        settings,
        actor,
        status,
        status == AppointmentStatus::Confirmed,
        summary.consultation_fee,
        starts_at.unwrap_or(now),
        now,
    )
    .is_some();
    let actions = Actions {
        pay: patient
            && status == AppointmentStatus::Pending
            && summary.hold_expires_at.is_some_and(|until| until > now),
        cancel,
        reschedule: patient
            && status == AppointmentStatus::Confirmed
            && starts_at.is_some_and(|at| now <= at - settings.booking.free_cancellation()),
        complete: !patient && status == AppointmentStatus::Confirmed && started,
        review: patient && status == AppointmentStatus::Completed && !summary.reviewed,
    };
    (started, actions)
}

fn item(
    settings: &ClinicSettings,
    actor: Actor,
    appointment: AppointmentSummary,
    now: DateTime<Utc>,
) -> AppointmentItem {
    let (started, actions) = actions(settings, actor, &appointment, now);
    AppointmentItem {
        appointment,
        started,
        actions,
    }
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
    let actor = Actor {
        user_id: patient_id,
        role: UserRole::Patient,
    };
    let (mut past, upcoming): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|row| item(settings, actor, row, now))
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

/// A doctor's schedule (an admin may look at any doctor's): upcoming live appointments,
/// started ones waiting to be completed, and the last 30 days' finished ones.
pub async fn schedule(
    pool: &PgPool,
    settings: &ClinicSettings,
    actor: Actor,
    doctor_id: i64,
    now: DateTime<Utc>,
) -> Result<Schedule, AppError> {
    let since = settings.local_date(now - chrono::TimeDelta::days(30));
    let rows: Vec<AppointmentSummary> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE a.doctor_id = $1 AND s.date >= $2
          ORDER BY s.date, s.start_time, a.id"
    ))
    .bind(doctor_id)
    .bind(since)
    .fetch_all(pool)
    .await?;
    let mut schedule = Schedule {
        upcoming: Vec::new(),
        to_complete: Vec::new(),
        recent: Vec::new(),
    };
    for row in rows {
        let item = item(settings, actor, row, now);
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
        UserRole::Doctor => super::doctor_records::own_doctor_id(pool, actor.user_id)
            .await
            .is_ok_and(|own| own == summary.doctor_id),
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
    let cancel_refund = refund_for(
        settings,
        actor,
        summary.status,
        summary.status == AppointmentStatus::Confirmed && summary.consultation_fee > Money::ZERO,
        summary.consultation_fee,
        starts_at,
        now,
    );
    let item = item(settings, actor, summary, now);
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
    let actor = Actor {
        user_id: patient_id,
        role: UserRole::Patient,
    };
    let appointment: AppointmentSummary = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE a.id = $1 AND a.patient_id = $2"
    ))
    .bind(appointment_id)
    .bind(patient_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::NotFound("This appointment".to_owned()))?;
    if !actions(settings, actor, &appointment, now).1.reschedule {
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
