//! Copying the generated rows into each table in foreign-key order, and reading back the ids
//! PostgreSQL gave them: rows refer to each other by position until then.

use std::time::Instant;

use anyhow::bail;
use chrono::Duration;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::SeedProgress;
use super::copy::CopyRows;
use super::generate::specialties::SPECIALTIES;
use super::generate::{Generated, Status, transaction_id};
use super::plan::{Clock, SLOT_MINUTES};
use super::report::group_thousands;

/// The id of the first row of each table; the others follow one by one.
struct FirstIds {
    specialty: i64,
    user: i64,
    doctor: i64,
    slot: i64,
    appointment: i64,
}

impl FirstIds {
    fn of(first: i64, position: usize) -> i64 {
        first + position as i64
    }
    fn admin(&self) -> i64 {
        self.user
    }
    fn doctor_user(&self, doctor: usize) -> i64 {
        Self::of(self.user, 1 + doctor)
    }
    fn patient(&self, patient: usize, doctors: usize) -> i64 {
        Self::of(self.user, 1 + doctors + patient)
    }
}

pub(super) async fn load(
    conn: &mut PgConnection,
    data: &Generated,
    clock: &Clock,
    password_hash: &str,
    progress: &mut dyn SeedProgress,
) -> anyhow::Result<()> {
    let doctors = data.doctors.len();

    let step = Instant::now();
    let mut copy = CopyRows::start(
        &mut *conn,
        &mut *progress,
        "specialties",
        "name, description",
    )
    .await?;
    for specialty in SPECIALTIES {
        copy.field(specialty.name)?
            .field(specialty.description)?
            .end_row()
            .await?;
    }
    copy.finish().await?;
    let specialty = first_id(&mut *conn, "specialties", SPECIALTIES.len(), step, progress).await?;

    let step = Instant::now();
    let mut copy = CopyRows::start(
        &mut *conn,
        &mut *progress,
        "users",
        "username, email, first_name, last_name, password_hash, user_type, phone_number, \
         wallet_balance, last_login, email_verified_at, created_at",
    )
    .await?;
    let people = std::iter::once((&data.admin, "admin", 0))
        .chain(data.doctors.iter().map(|d| (&d.person, "doctor", 0)))
        .chain(
            data.patients
                .iter()
                .zip(&data.balances)
                .map(|(p, balance)| (p, "patient", *balance)),
        );
    for (person, user_type, balance) in people {
        copy.field(person.username.as_str())?
            .field(person.email.as_str())?
            .field(person.first)?
            .field(person.last)?
            .field(password_hash)?
            .field(user_type)?
            .field(person.phone.as_str())?
            .field(cents(balance))?
            .field(person.last_login.map(|at| clock.instant(at)))?
            .field(clock.instant(person.created_at + Duration::minutes(7)))?
            .field(clock.instant(person.created_at))?
            .end_row()
            .await?;
    }
    copy.finish().await?;
    let user = first_id(
        &mut *conn,
        "users",
        1 + doctors + data.patients.len(),
        step,
        progress,
    )
    .await?;
    let mut ids = FirstIds {
        specialty,
        user,
        doctor: 0,
        slot: 0,
        appointment: 0,
    };

    let step = Instant::now();
    let mut copy = CopyRows::start(
        &mut *conn,
        &mut *progress,
        "doctors",
        "user_id, specialty_id, license_number, experience_years, bio, consultation_fee, \
         created_by, created_at",
    )
    .await?;
    for (index, doctor) in data.doctors.iter().enumerate() {
        copy.field(ids.doctor_user(index))?
            .field(FirstIds::of(ids.specialty, doctor.specialty))?
            .field(doctor.license.as_str())?
            .field(doctor.years)?
            .field(doctor.bio.as_str())?
            .field(cents(doctor.fee_cents))?
            .field(ids.admin())?
            .field(clock.instant(doctor.person.created_at))?
            .end_row()
            .await?;
    }
    copy.finish().await?;
    ids.doctor = first_id(&mut *conn, "doctors", doctors, step, progress).await?;

    let step = Instant::now();
    let mut copy = CopyRows::start(
        &mut *conn,
        &mut *progress,
        "time_slots",
        "doctor_id, date, start_time, end_time, is_available, created_by, created_at",
    )
    .await?;
    for slot in &data.slots {
        copy.field(FirstIds::of(ids.doctor, slot.doctor))?
            .field(slot.date)?
            .field(slot.start)?
            .field(slot.start + Duration::minutes(SLOT_MINUTES))?
            .field(slot.available)?
            .field(ids.doctor_user(slot.doctor))?
            .field(clock.instant(slot.created_at))?
            .end_row()
            .await?;
    }
    copy.finish().await?;
    ids.slot = first_id(&mut *conn, "time_slots", data.slots.len(), step, progress).await?;

    let step = Instant::now();
    let mut copy = CopyRows::start(
        &mut *conn,
        &mut *progress,
        "appointments",
        "patient_id, doctor_id, time_slot_id, status, consultation_fee, notes, \
         confirmation_sent, created_at, updated_at, cancelled_at, completed_at",
    )
    .await?;
    for appointment in &data.appointments {
        // The moment of the last change is when it was cancelled or completed.
        let ended_at =
            |status| (appointment.status == status).then(|| clock.instant(appointment.updated_at));
        copy.field(ids.patient(appointment.patient, doctors))?
            .field(FirstIds::of(ids.doctor, appointment.doctor))?
            .field(FirstIds::of(ids.slot, appointment.slot))?
            .field(appointment.status.as_str())?
            .field(cents(appointment.fee_cents))?
            .field(appointment.notes)?
            .field(true)?
            .field(clock.instant(appointment.booked_at))?
            .field(clock.instant(appointment.updated_at))?
            .field(ended_at(Status::Cancelled))?
            .field(ended_at(Status::Completed))?
            .end_row()
            .await?;
    }
    copy.finish().await?;
    ids.appointment = first_id(
        &mut *conn,
        "appointments",
        data.appointments.len(),
        step,
        progress,
    )
    .await?;

    // One payment per appointment: bookings are paid from the wallet when made, and a
    // cancellation refunds the payment.
    let step = Instant::now();
    let mut copy = CopyRows::start(
        &mut *conn,
        &mut *progress,
        "payments",
        "appointment_id, amount, status, transaction_id, paid_at, created_at",
    )
    .await?;
    for (index, appointment) in data.appointments.iter().enumerate() {
        let paid_at = clock.instant(appointment.booked_at);
        copy.field(FirstIds::of(ids.appointment, index))?
            .field(cents(appointment.fee_cents))?
            .field(if appointment.status == Status::Cancelled {
                "refunded"
            } else {
                "completed"
            })?
            .field(transaction_id(index).as_str())?
            .field(paid_at)?
            .field(paid_at)?
            .end_row()
            .await?;
    }
    copy.finish().await?;
    first_id(
        &mut *conn,
        "payments",
        data.appointments.len(),
        step,
        progress,
    )
    .await?;

    let step = Instant::now();
    let mut copy = CopyRows::start(
        &mut *conn,
        &mut *progress,
        "wallet_transactions",
        "user_id, transaction_type, amount, description, balance_after, appointment_id, \
         created_at",
    )
    .await?;
    for entry in &data.ledger {
        copy.field(ids.patient(entry.patient, doctors))?
            .field(entry.kind.as_str())?
            .field(cents(entry.amount_cents))?
            .field(entry.description.as_str())?
            .field(cents(entry.balance_after_cents))?
            .field(entry.appointment.map(|a| FirstIds::of(ids.appointment, a)))?
            .field(clock.instant(entry.at))?
            .end_row()
            .await?;
    }
    copy.finish().await?;
    first_id(
        &mut *conn,
        "wallet_transactions",
        data.ledger.len(),
        step,
        progress,
    )
    .await?;

    let step = Instant::now();
    let mut copy = CopyRows::start(
        &mut *conn,
        &mut *progress,
        "reviews",
        "appointment_id, patient_id, doctor_id, rating, comment, is_anonymous, created_at, \
         updated_at",
    )
    .await?;
    for review in &data.reviews {
        let appointment = &data.appointments[review.appointment];
        let at = clock.instant(review.at);
        copy.field(FirstIds::of(ids.appointment, review.appointment))?
            .field(ids.patient(appointment.patient, doctors))?
            .field(FirstIds::of(ids.doctor, appointment.doctor))?
            .field(review.rating)?
            .field(review.comment)?
            .field(review.anonymous)?
            .field(at)?
            .field(at)?
            .end_row()
            .await?;
    }
    copy.finish().await?;
    first_id(&mut *conn, "reviews", data.reviews.len(), step, progress).await?;
    Ok(())
}

/// The id PostgreSQL gave the first of the `rows` rows just copied into the (previously empty)
/// `table`. COPY numbers rows in the order it reads them and the tables are locked against other
/// writers, so the ids run on without gaps from there; this checks that they do rather than
/// assume the sequence starts at 1 (it does not when rows were once added and deleted).
async fn first_id(
    conn: &mut PgConnection,
    table: &str,
    rows: usize,
    started: Instant,
    progress: &mut dyn SeedProgress,
) -> anyhow::Result<i64> {
    let (first, last, count): (Option<i64>, Option<i64>, i64) =
        sqlx::query_as(&format!("SELECT min(id), max(id), count(*) FROM {table}"))
            .fetch_one(conn)
            .await?;
    let rows = rows as i64;
    match (first, last) {
        (Some(first), Some(last)) if count == rows && last - first + 1 == rows => {
            progress.step(format!(
                "loaded {:>12} {table} in {:.1} s",
                group_thousands(rows as usize),
                started.elapsed().as_secs_f64()
            ));
            Ok(first)
        }
        (None, None) if rows == 0 => Ok(1),
        _ => bail!(
            "{table}: expected {rows} rows numbered without gaps, found {count} with ids \
             {first:?}..{last:?} (did something else write to the database while seeding?)"
        ),
    }
}

fn cents(amount: i64) -> Decimal {
    Decimal::new(amount, 2)
}
