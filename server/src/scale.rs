//! Large generated data sets for measuring the app at scale (`seed-demo --scale N`): doctors,
//! slots, appointments, payments, the wallet ledger and reviews, consistent with every rule of
//! the schema, bulk-loaded with COPY in one transaction.
//!
//! Everything is generated in memory first, from a seeded generator, so the same plan gives the
//! same data; the rows refer to each other by position, and positions become ids once PostgreSQL
//! has numbered each table (read back and checked, see [`first_id`]).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration as StdDuration, Instant};

use anyhow::{Context, bail};
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use sqlx::postgres::PgCopyIn;
use sqlx::{PgConnection, PgPool};

use crate::database::quote_identifier;
use crate::demo::DEMO_PASSWORD;

/// The tables the data set fills, in the order their foreign keys allow.
const SEEDED_TABLES: &[&str] = &[
    "specialties",
    "users",
    "doctors",
    "time_slots",
    "appointments",
    "payments",
    "wallet_transactions",
    "reviews",
];

/// Slots run from this many days before today...
const PAST_DAYS: i64 = 30;
/// ...to this many days after it (today included in neither count).
const FUTURE_DAYS: i64 = 29;
const SLOT_MINUTES: i64 = 30;
/// The most slots one doctor works in a day (eight hours, with breaks, ends before midnight).
const MAX_SLOTS_A_DAY: usize = 16;
/// A doctor takes a half-hour break after this many slots in a row.
const SLOTS_BEFORE_BREAK: usize = 4;
/// Share of appointments that are on slots already over.
const PAST_SHARE: f64 = 0.75;
const CANCELLED_PAST: f64 = 0.12;
const CANCELLED_FUTURE: f64 = 0.05;
/// Bytes of COPY data sent at a time.
const COPY_CHUNK: usize = 1 << 20;
/// The generator's seed: fixed, so a plan always gives the same data.
const SEED: u64 = 0x00C1_1A1C_5EED_2026;

/// How much to generate. `for_scale(N)` is what the command line asks for; tests build smaller
/// plans directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalePlan {
    pub doctors: usize,
    pub patients: usize,
    pub slots: usize,
    pub appointments: usize,
    pub reviews: usize,
}

impl ScalePlan {
    /// N × (100 doctors, 200 patients, 10,000 slots, 2,000 appointments, 1,000 reviews).
    /// N may be a fraction (0.2 gives 20 doctors); every specialty is created whatever N is.
    pub fn for_scale(scale: f64) -> anyhow::Result<Self> {
        if !(scale.is_finite() && scale > 0.0 && scale <= 1000.0) {
            bail!("the scale must be a number above 0 and at most 1000, such as 1, 100 or 0.2");
        }
        let times = |base: f64| (base * scale).round() as usize;
        let plan = Self {
            doctors: times(100.0).max(1),
            patients: times(200.0).max(1),
            slots: times(10_000.0),
            appointments: times(2_000.0),
            reviews: times(1_000.0),
        };
        plan.check()?;
        Ok(plan)
    }

    /// Refuses plans whose numbers cannot all be met.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.doctors == 0 || self.patients == 0 {
            bail!("a plan needs at least one doctor and one patient");
        }
        let window = (PAST_DAYS + 1 + FUTURE_DAYS) as usize;
        // A doctor working six days a week has at least 51 working days in the window.
        if self.slots.div_ceil(self.doctors) > window * 6 / 7 * MAX_SLOTS_A_DAY {
            bail!(
                "{} slots for {} doctors is more than doctors can work in {window} days",
                self.slots,
                self.doctors
            );
        }
        // About half the slots are over; appointments need free past and future slots.
        if self.appointments > self.slots / 3 {
            bail!(
                "{} appointments need more than {} slots (at most a third are booked)",
                self.appointments,
                self.slots
            );
        }
        // Reviews are written after completed appointments, which are about 60% of them.
        if self.reviews > self.appointments / 2 {
            bail!(
                "{} reviews need more than {} appointments (at most half are reviewed)",
                self.reviews,
                self.appointments
            );
        }
        Ok(())
    }
}

/// What `seed` did.
#[derive(Debug)]
pub enum SeedOutcome {
    Seeded(SeedReport),
    /// The database already had data; nothing was changed.
    NotEmpty {
        users: i64,
        doctors: i64,
    },
}

/// How many rows of each kind were loaded, and how long it took.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub specialties: usize,
    pub doctors: usize,
    pub patients: usize,
    pub slots: usize,
    pub free_future_slots: usize,
    pub appointments: usize,
    pub completed: usize,
    pub confirmed: usize,
    pub cancelled: usize,
    pub payments: usize,
    pub ledger_entries: usize,
    pub reviews: usize,
    /// The clinic-local time the data set was generated around ("now").
    pub now_local: NaiveDateTime,
    /// A doctor's and a patient's username, to sign in with.
    pub sample_doctor: String,
    pub sample_patient: String,
    pub elapsed: StdDuration,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = group_thousands;
        writeln!(f, "  specialties          {:>12}", n(self.specialties))?;
        writeln!(f, "  doctors              {:>12}", n(self.doctors))?;
        writeln!(f, "  patients             {:>12}", n(self.patients))?;
        writeln!(
            f,
            "  time slots           {:>12}  ({} free in the future)",
            n(self.slots),
            n(self.free_future_slots)
        )?;
        writeln!(
            f,
            "  appointments         {:>12}  ({} completed, {} confirmed, {} cancelled)",
            n(self.appointments),
            n(self.completed),
            n(self.confirmed),
            n(self.cancelled)
        )?;
        writeln!(f, "  payments             {:>12}", n(self.payments))?;
        writeln!(f, "  wallet ledger rows   {:>12}", n(self.ledger_entries))?;
        writeln!(f, "  reviews              {:>12}", n(self.reviews))?;
        write!(
            f,
            "  total time           {:>10.1} s",
            self.elapsed.as_secs_f64()
        )
    }
}

/// Loads a generated data set of `plan`'s size around `now` (slot dates and times are local to
/// `time_zone`), if the database has no users and no specialties yet. `progress` receives a line
/// per step.
pub async fn seed(
    pool: &PgPool,
    plan: &ScalePlan,
    now: DateTime<Utc>,
    time_zone: Tz,
    progress: &mut dyn FnMut(String),
) -> anyhow::Result<SeedOutcome> {
    plan.check()?;
    let started = Instant::now();
    let clock = Clock {
        time_zone,
        now_local: now.with_timezone(&time_zone).naive_local(),
    };

    let mut tx = pool.begin().await?;
    // The demo seeder's lock: the two never load into one database at once.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('clinic-demo-seed'))")
        .execute(&mut *tx)
        .await?;
    // Nobody else adds rows while we number ours (see `first_id`).
    sqlx::raw_sql(&format!(
        "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
        SEEDED_TABLES.join(", ")
    ))
    .execute(&mut *tx)
    .await?;
    let (users, specialties, doctors): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM specialties),
                (SELECT count(*) FROM doctors)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if users > 0 || specialties > 0 {
        return Ok(SeedOutcome::NotEmpty { users, doctors });
    }

    let step = Instant::now();
    // One hash for every account: hashing tens of thousands would take minutes.
    let password_hash = app::services::passwords::hash(DEMO_PASSWORD.to_owned())
        .await
        .context("could not hash the demo password")?;
    let data = generate(plan, &clock);
    progress(format!(
        "generated {} users, {} slots, {} appointments, {} ledger rows, {} reviews in {:.1} s",
        group_thousands(1 + data.doctors.len() + data.patients.len()),
        group_thousands(data.slots.len()),
        group_thousands(data.appointments.len()),
        group_thousands(data.ledger.len()),
        group_thousands(data.reviews.len()),
        step.elapsed().as_secs_f64()
    ));

    // The per-row trigger that keeps doctors.next_free_slot_at would run a million times; the
    // value is computed for every doctor at once below instead.
    sqlx::query("ALTER TABLE time_slots DISABLE TRIGGER time_slots_next_free")
        .execute(&mut *tx)
        .await?;
    let foreign_keys = drop_foreign_keys(&mut tx).await?;
    load(&mut tx, &data, &clock, &password_hash, progress).await?;
    // Statistics first, so the planner validates the keys below with joins that fit the sizes.
    sqlx::raw_sql(&format!("ANALYZE {}", SEEDED_TABLES.join(", ")))
        .execute(&mut *tx)
        .await?;
    restore_foreign_keys(&mut tx, &foreign_keys, progress).await?;
    sqlx::query("ALTER TABLE time_slots ENABLE TRIGGER time_slots_next_free")
        .execute(&mut *tx)
        .await?;

    let step = Instant::now();
    sqlx::query(
        "UPDATE doctors d
            SET average_rating = r.average, total_reviews = r.total
           FROM (SELECT doctor_id, round(avg(rating), 2) AS average, count(*)::int AS total
                   FROM reviews GROUP BY doctor_id) r
          WHERE d.id = r.doctor_id",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("SELECT refresh_next_free_slots($1, true)")
        .bind(clock.now_local)
        .execute(&mut *tx)
        .await?;
    progress(format!(
        "computed ratings and next free slots in {:.1} s",
        step.elapsed().as_secs_f64()
    ));

    let step = Instant::now();
    tx.commit().await?;
    progress(format!(
        "committed in {:.1} s",
        step.elapsed().as_secs_f64()
    ));

    // Fresh statistics for the planner, and a visibility map so the first visitors do not pay
    // for setting hint bits on a million rows.
    let step = Instant::now();
    // VACUUM cannot run inside a transaction: the simple protocol sends it on its own.
    sqlx::raw_sql(&format!("VACUUM (ANALYZE) {}", SEEDED_TABLES.join(", ")))
        .execute(pool)
        .await?;
    progress(format!(
        "vacuumed and analyzed in {:.1} s",
        step.elapsed().as_secs_f64()
    ));

    let count = |status: Status| {
        data.appointments
            .iter()
            .filter(|a| a.status == status)
            .count()
    };
    Ok(SeedOutcome::Seeded(SeedReport {
        specialties: SPECIALTIES.len(),
        doctors: data.doctors.len(),
        patients: data.patients.len(),
        slots: data.slots.len(),
        free_future_slots: data
            .slots
            .iter()
            .filter(|s| s.available && s.starts_at() > clock.now_local)
            .count(),
        appointments: data.appointments.len(),
        completed: count(Status::Completed),
        confirmed: count(Status::Confirmed),
        cancelled: count(Status::Cancelled),
        payments: data.appointments.len(),
        ledger_entries: data.ledger.len(),
        reviews: data.reviews.len(),
        now_local: clock.now_local,
        sample_doctor: data
            .doctors
            .first()
            .map(|d| d.person.username.clone())
            .unwrap_or_default(),
        sample_patient: data
            .patients
            .first()
            .map(|p| p.username.clone())
            .unwrap_or_default(),
        elapsed: started.elapsed(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

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

async fn load(
    conn: &mut PgConnection,
    data: &Generated,
    clock: &Clock,
    password_hash: &str,
    progress: &mut dyn FnMut(String),
) -> anyhow::Result<()> {
    let doctors = data.doctors.len();

    let step = Instant::now();
    let mut copy = CopyRows::start(&mut *conn, "specialties", "name, description").await?;
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

/// A foreign key of a seeded table, as `pg_get_constraintdef` spells it.
struct ForeignKey {
    table: String,
    name: String,
    definition: String,
}

/// Drops the foreign keys of the seeded tables (in the transaction, so they cannot be lost).
/// Checked row by row they cost tens of microseconds each, a few minutes for the whole load;
/// added back afterwards, each is validated by one join over the table.
async fn drop_foreign_keys(conn: &mut PgConnection) -> anyhow::Result<Vec<ForeignKey>> {
    let keys: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
           FROM pg_constraint
          WHERE contype = 'f' AND conrelid = ANY($1::text[]::regclass[])
          ORDER BY conrelid::regclass::text, conname",
    )
    .bind(SEEDED_TABLES)
    .fetch_all(&mut *conn)
    .await?;
    let keys: Vec<ForeignKey> = keys
        .into_iter()
        .map(|(table, name, definition)| ForeignKey {
            table,
            name,
            definition,
        })
        .collect();
    for key in &keys {
        sqlx::raw_sql(&format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            key.table,
            quote_identifier(&key.name)
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(keys)
}

/// Adds the keys back exactly as they were; PostgreSQL checks every row against each.
async fn restore_foreign_keys(
    conn: &mut PgConnection,
    keys: &[ForeignKey],
    progress: &mut dyn FnMut(String),
) -> anyhow::Result<()> {
    let started = Instant::now();
    for key in keys {
        sqlx::raw_sql(&format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            key.table,
            quote_identifier(&key.name),
            key.definition
        ))
        .execute(&mut *conn)
        .await
        .with_context(|| format!("the data breaks {} on {}", key.name, key.table))?;
    }
    progress(format!(
        "checked {} foreign keys in {:.1} s",
        keys.len(),
        started.elapsed().as_secs_f64()
    ));
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
    progress: &mut dyn FnMut(String),
) -> anyhow::Result<i64> {
    let (first, last, count): (Option<i64>, Option<i64>, i64) =
        sqlx::query_as(&format!("SELECT min(id), max(id), count(*) FROM {table}"))
            .fetch_one(conn)
            .await?;
    let rows = rows as i64;
    match (first, last) {
        (Some(first), Some(last)) if count == rows && last - first + 1 == rows => {
            progress(format!(
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

/// Rows in PostgreSQL's COPY text format (tab-separated, `\N` for NULL), sent a chunk at a time.
struct CopyRows<'c> {
    copy: PgCopyIn<&'c mut PgConnection>,
    buffer: String,
}

impl<'c> CopyRows<'c> {
    async fn start(conn: &'c mut PgConnection, table: &str, columns: &str) -> anyhow::Result<Self> {
        let copy = conn
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await
            .with_context(|| format!("could not start copying into {table}"))?;
        Ok(Self {
            copy,
            buffer: String::with_capacity(COPY_CHUNK + 4096),
        })
    }

    fn field(&mut self, value: impl CopyValue) -> anyhow::Result<&mut Self> {
        value.write(&mut self.buffer)?;
        self.buffer.push('\t');
        Ok(self)
    }

    async fn end_row(&mut self) -> anyhow::Result<()> {
        self.buffer.pop();
        self.buffer.push('\n');
        if self.buffer.len() >= COPY_CHUNK {
            let chunk = std::mem::replace(&mut self.buffer, String::with_capacity(COPY_CHUNK));
            self.copy.send(chunk.into_bytes()).await?;
        }
        Ok(())
    }

    async fn finish(mut self) -> anyhow::Result<u64> {
        if !self.buffer.is_empty() {
            self.copy
                .send(std::mem::take(&mut self.buffer).into_bytes())
                .await?;
        }
        Ok(self.copy.finish().await?)
    }
}

/// A value as COPY's text format spells it.
trait CopyValue {
    fn write(&self, out: &mut String) -> std::fmt::Result;
}

impl CopyValue for &str {
    fn write(&self, out: &mut String) -> std::fmt::Result {
        for c in self.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
        Ok(())
    }
}

impl CopyValue for bool {
    fn write(&self, out: &mut String) -> std::fmt::Result {
        out.push(if *self { 't' } else { 'f' });
        Ok(())
    }
}

impl CopyValue for DateTime<Utc> {
    fn write(&self, out: &mut String) -> std::fmt::Result {
        write!(out, "{}+00", self.format("%Y-%m-%d %H:%M:%S"))
    }
}

macro_rules! copy_value_by_display {
    ($($ty:ty),*) => {$(
        impl CopyValue for $ty {
            fn write(&self, out: &mut String) -> std::fmt::Result {
                write!(out, "{self}")
            }
        }
    )*};
}
copy_value_by_display!(i16, i32, i64, Decimal, NaiveDate, NaiveTime);

impl<T: CopyValue> CopyValue for Option<T> {
    fn write(&self, out: &mut String) -> std::fmt::Result {
        match self {
            Some(value) => value.write(out),
            None => {
                out.push_str("\\N");
                Ok(())
            }
        }
    }
}

fn cents(amount: i64) -> Decimal {
    Decimal::new(amount, 2)
}

/// A unique, random-looking payment reference: the position through a bijective mixer.
fn transaction_id(appointment: usize) -> String {
    format!("wallet-{:016x}", mix(appointment as u64 ^ SEED))
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/// The clinic's clock: local times for slots, instants for everything else.
struct Clock {
    time_zone: Tz,
    now_local: NaiveDateTime,
}

impl Clock {
    /// The instant of a clinic-local time. In the autumn's repeated hour the first is taken;
    /// a time in the spring's skipped hour is read an hour later.
    fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        self.time_zone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.time_zone
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
    }
}

/// splitmix64: tiny, fast and good enough for test data; `mix` alone is a bijection on u64.
struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// An independent stream per part of the data, so changing one part leaves the others alone.
    fn stream(part: u64) -> Self {
        Self(mix(SEED ^ part.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    /// 0..n (n > 0), without modulo bias worth speaking of.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as usize) as i64
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
    /// An index drawn with the given relative weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut ticket = self.below(total as usize) as u32;
        for (index, weight) in weights.iter().enumerate() {
            if ticket < *weight {
                return index;
            }
            ticket -= weight;
        }
        weights.len() - 1
    }
    /// `k` distinct items of `pool`, in random order (a partial Fisher-Yates shuffle).
    fn sample(&mut self, pool: &mut [usize], k: usize) -> Vec<usize> {
        let k = k.min(pool.len());
        for i in 0..k {
            let j = i + self.below(pool.len() - i);
            pool.swap(i, j);
        }
        pool[..k].to_vec()
    }
}

struct Person {
    first: &'static str,
    last: &'static str,
    username: String,
    email: String,
    phone: String,
    created_at: NaiveDateTime,
    last_login: Option<NaiveDateTime>,
}

struct Doctor {
    person: Person,
    specialty: usize,
    license: String,
    years: i32,
    bio: String,
    fee_cents: i64,
    /// Weights of ratings 1..5 in this doctor's reviews: some doctors are better liked.
    ratings: &'static [u32; 5],
}

struct Slot {
    doctor: usize,
    date: NaiveDate,
    start: NaiveTime,
    available: bool,
    created_at: NaiveDateTime,
}

impl Slot {
    fn starts_at(&self) -> NaiveDateTime {
        self.date.and_time(self.start)
    }
    fn ends_at(&self) -> NaiveDateTime {
        self.starts_at() + Duration::minutes(SLOT_MINUTES)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Confirmed,
    Completed,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

struct Appointment {
    patient: usize,
    doctor: usize,
    slot: usize,
    status: Status,
    fee_cents: i64,
    notes: &'static str,
    booked_at: NaiveDateTime,
    /// When it was completed or cancelled; the booking time while it is confirmed.
    updated_at: NaiveDateTime,
}

#[derive(Clone, Copy)]
enum LedgerKind {
    Deposit,
    Payment,
    Refund,
}

impl LedgerKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Payment => "payment",
            Self::Refund => "refund",
        }
    }
}

struct LedgerEntry {
    patient: usize,
    kind: LedgerKind,
    amount_cents: i64,
    description: String,
    balance_after_cents: i64,
    appointment: Option<usize>,
    at: NaiveDateTime,
}

struct Review {
    appointment: usize,
    rating: i16,
    comment: &'static str,
    anonymous: bool,
    at: NaiveDateTime,
}

struct Generated {
    admin: Person,
    doctors: Vec<Doctor>,
    patients: Vec<Person>,
    slots: Vec<Slot>,
    /// In booking order.
    appointments: Vec<Appointment>,
    /// In time order.
    ledger: Vec<LedgerEntry>,
    /// Each patient's final wallet balance, in cents.
    balances: Vec<i64>,
    /// In time order.
    reviews: Vec<Review>,
}

fn generate(plan: &ScalePlan, clock: &Clock) -> Generated {
    let now = clock.now_local;
    let mut names = Names::new();
    let admin = Person {
        first: "Clinic",
        last: "Administrator",
        username: "admin".to_owned(),
        email: "admin@clinic.example".to_owned(),
        phone: String::new(),
        created_at: now - Duration::days(2000),
        last_login: Some(now - Duration::hours(3)),
    };
    let doctors = generate_doctors(plan.doctors, clock, &mut names);
    let patients = generate_patients(plan.patients, clock, &mut names);
    let mut slots = generate_slots(plan.slots, &doctors, clock);
    let appointments = generate_appointments(plan, &doctors, &mut slots, clock);
    let (ledger, balances) = generate_ledger(&patients, &appointments, &doctors, &slots);
    let reviews = generate_reviews(plan.reviews, &appointments, &doctors, &slots, clock);
    Generated {
        admin,
        doctors,
        patients,
        slots,
        appointments,
        ledger,
        balances,
        reviews,
    }
}

/// People's names, and the usernames handed out so far: the second Anna Smith is anna.smith2.
struct Names {
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    taken: HashMap<String, u32>,
}

impl Names {
    fn new() -> Self {
        let list = |text: &'static str| text.split(',').map(str::trim).collect();
        Self {
            first: list(FIRST_NAMES),
            last: list(LAST_NAMES),
            taken: HashMap::new(),
        }
    }

    fn random(&self, rng: &mut Rng) -> (&'static str, &'static str) {
        (rng.pick(&self.first), rng.pick(&self.last))
    }

    fn handle(&mut self, first: &str, last: &str) -> String {
        let plain = |name: &str| -> String {
            name.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let base = format!("{}.{}", plain(first), plain(last));
        let seen = self.taken.entry(base.clone()).or_insert(0);
        *seen += 1;
        // Names hold no digits, so a numbered handle never equals another's base.
        if *seen == 1 {
            base
        } else {
            format!("{base}{seen}")
        }
    }
}

fn generate_doctors(count: usize, clock: &Clock, names: &mut Names) -> Vec<Doctor> {
    let mut rng = Rng::stream(1);
    let weights: Vec<u32> = SPECIALTIES.iter().map(|s| s.weight).collect();
    (0..count)
        .map(|index| {
            let (first, last) = names.random(&mut rng);
            let handle = names.handle(first, last);
            // Every specialty has doctors whenever there are enough of them; the rest follow
            // how common each specialty is.
            let specialty = if index < SPECIALTIES.len() && count >= SPECIALTIES.len() {
                index
            } else {
                rng.weighted(&weights)
            };
            // Both skewed towards the low end: more young doctors than veterans, more modest
            // fees than high ones. 30.00 to 250.00 in steps of 5.00.
            let years = 1 + rng.below(40).min(rng.below(40)) as i32;
            let fee_cents = (30 + 5 * rng.below(45).min(rng.below(45)) as i64) * 100;
            let ratings = RATING_PROFILES[rng.weighted(&[30, 50, 20])];
            Doctor {
                person: Person {
                    first,
                    last,
                    username: format!("dr.{handle}"),
                    email: format!("{handle}@clinic.example"),
                    phone: format!("+44207946{:04}", rng.below(10_000)),
                    created_at: clock.now_local - Duration::days(60 + rng.range(0, 1500)),
                    last_login: Some(clock.now_local - Duration::minutes(rng.range(5, 20_000))),
                },
                specialty,
                license: license_number(index),
                years,
                bio: bio(&mut rng, SPECIALTIES[specialty].name, years),
                fee_cents,
                ratings,
            }
        })
        .collect()
}

/// A unique registration number that does not give away the order doctors were added in:
/// multiplying by a number prime to 10⁷ permutes 0..10⁷.
fn license_number(index: usize) -> String {
    format!("GMC-{:07}", (index as u64 * 7_919 + 1_234_567) % 10_000_000)
}

fn bio(rng: &mut Rng, specialty: &str, years: i32) -> String {
    let opener = rng.pick(BIO_OPENERS);
    let years = if years == 1 {
        "a year".to_owned()
    } else {
        format!("{years} years")
    };
    format!(
        "{opener} {} with {years} of experience. {}",
        specialty.to_lowercase(),
        rng.pick(BIO_SENTENCES)
    )
}

fn generate_patients(count: usize, clock: &Clock, names: &mut Names) -> Vec<Person> {
    let mut rng = Rng::stream(2);
    (0..count)
        .map(|_| {
            let (first, last) = names.random(&mut rng);
            let username = names.handle(first, last);
            Person {
                first,
                last,
                email: format!("{username}@example.com"),
                username,
                phone: if rng.chance(0.8) {
                    format!("+447700{:06}", rng.below(1_000_000))
                } else {
                    String::new()
                },
                // Every patient signed up before the first slot of the window was bookable.
                created_at: clock.now_local
                    - Duration::days(PAST_DAYS + 16 + rng.range(0, 650))
                    - Duration::minutes(rng.range(0, 1439)),
                last_login: rng
                    .chance(0.7)
                    .then(|| clock.now_local - Duration::minutes(rng.range(5, 43_200))),
            }
        })
        .collect()
}

/// Each doctor works some days of the week, a block of consecutive slots from the same time each
/// day with a break every few slots; the slots are spread evenly over those days in the window.
/// Rows come in the order a clinic would add them: day by day, each doctor's together.
fn generate_slots(count: usize, doctors: &[Doctor], clock: &Clock) -> Vec<Slot> {
    let mut rng = Rng::stream(3);
    let today = clock.now_local.date();
    let window: Vec<NaiveDate> = (-PAST_DAYS..=FUTURE_DAYS)
        .map(|offset| today + Duration::days(offset))
        .collect();
    let weekdays = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
    ];
    let mut slots = Vec::with_capacity(count);
    for doctor in 0..doctors.len() {
        // Spread the remainder over the first doctors: counts add up to `count` exactly.
        let mine = count / doctors.len() + usize::from(doctor < count % doctors.len());
        let mut order: Vec<usize> = (0..weekdays.len()).collect();
        let mut works = 2 + rng.below(4);
        let days = loop {
            let chosen = &rng.sample(&mut order, works);
            let days: Vec<NaiveDate> = window
                .iter()
                .copied()
                .filter(|d| chosen.iter().any(|&w| weekdays[w] == d.weekday()))
                .collect();
            // ScalePlan::check keeps six days a week enough.
            if days.len() * MAX_SLOTS_A_DAY >= mine || works == weekdays.len() {
                break days;
            }
            works += 1;
        };
        let first_start = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default()
            + Duration::minutes(SLOT_MINUTES * rng.range(0, 12));
        let publish_minutes = rng.range(0, 600);
        for (index, date) in days.iter().enumerate() {
            let on_day = mine * (index + 1) / days.len() - mine * index / days.len();
            let mut start = first_start;
            for n in 0..on_day.min(MAX_SLOTS_A_DAY) {
                if n > 0 && n.is_multiple_of(SLOTS_BEFORE_BREAK) {
                    start += Duration::minutes(SLOT_MINUTES);
                }
                slots.push(Slot {
                    doctor,
                    date: *date,
                    start,
                    available: true,
                    // Published four weeks ahead.
                    created_at: (*date - Duration::days(28)).and_time(NaiveTime::MIN)
                        + Duration::minutes(6 * 60 + publish_minutes),
                });
                start += Duration::minutes(SLOT_MINUTES);
            }
        }
    }
    slots.sort_by_key(|s| (s.date, s.doctor, s.start));
    slots
}

fn generate_appointments(
    plan: &ScalePlan,
    doctors: &[Doctor],
    slots: &mut [Slot],
    clock: &Clock,
) -> Vec<Appointment> {
    let mut rng = Rng::stream(4);
    let now = clock.now_local;
    // Slots in progress are neither: they are left alone.
    let mut past: Vec<usize> = (0..slots.len())
        .filter(|&i| slots[i].ends_at() <= now)
        .collect();
    let mut future: Vec<usize> = (0..slots.len())
        .filter(|&i| slots[i].starts_at() > now)
        .collect();
    let want_past = ((plan.appointments as f64 * PAST_SHARE).round() as usize).min(past.len());
    let want_future = (plan.appointments - want_past).min(future.len());
    let want_past = (plan.appointments - want_future).min(past.len());
    let chosen = rng
        .sample(&mut past, want_past)
        .into_iter()
        .chain(rng.sample(&mut future, want_future));

    // A fifth of the patients (the first) book far more often than the rest.
    let regulars = (plan.patients / 5).max(1);
    let mut appointments: Vec<Appointment> = chosen
        .map(|slot_index| {
            let slot = &slots[slot_index];
            let (start, end) = (slot.starts_at(), slot.ends_at());
            let patient = if rng.chance(0.2) {
                rng.below(regulars)
            } else {
                rng.below(plan.patients)
            };
            let booked_at = (start - Duration::minutes(rng.range(120, 14 * 24 * 60)))
                .min(now - Duration::minutes(rng.range(1, 180)));
            let is_past = end <= now;
            let cancelled = rng.chance(if is_past {
                CANCELLED_PAST
            } else {
                CANCELLED_FUTURE
            });
            let (status, updated_at) = if cancelled {
                let limit = start.min(now);
                let span = (limit - booked_at).num_minutes().max(1);
                (
                    Status::Cancelled,
                    booked_at + Duration::minutes(rng.range(1, span)),
                )
            } else if is_past {
                (
                    Status::Completed,
                    (end + Duration::minutes(rng.range(5, 60))).min(now),
                )
            } else {
                (Status::Confirmed, booked_at)
            };
            Appointment {
                patient,
                doctor: slot.doctor,
                slot: slot_index,
                status,
                fee_cents: doctors[slot.doctor].fee_cents,
                notes: if rng.chance(0.3) { rng.pick(NOTES) } else { "" },
                booked_at,
                updated_at,
            }
        })
        .collect();
    for appointment in &appointments {
        // A cancelled booking gave its slot back.
        if appointment.status != Status::Cancelled {
            slots[appointment.slot].available = false;
        }
    }
    appointments.sort_by_key(|a| a.booked_at);
    appointments
}

/// Every patient tops up on signing up; each booking pays from the wallet (topping up first when
/// the balance is short) and each cancellation refunds. Walking all of it in time order gives
/// every row its balance_after, and every patient's final balance.
fn generate_ledger(
    patients: &[Person],
    appointments: &[Appointment],
    doctors: &[Doctor],
    slots: &[Slot],
) -> (Vec<LedgerEntry>, Vec<i64>) {
    #[derive(Clone, Copy)]
    enum Event {
        Opening(usize),
        Pay(usize),
        Refund(usize),
    }
    let mut rng = Rng::stream(5);
    let mut events: Vec<(NaiveDateTime, Event)> =
        Vec::with_capacity(patients.len() + appointments.len() * 2);
    for (index, patient) in patients.iter().enumerate() {
        events.push((
            patient.created_at + Duration::minutes(rng.range(10, 240)),
            Event::Opening(index),
        ));
    }
    for (index, appointment) in appointments.iter().enumerate() {
        events.push((appointment.booked_at, Event::Pay(index)));
        if appointment.status == Status::Cancelled {
            events.push((appointment.updated_at, Event::Refund(index)));
        }
    }
    // Stable: a refund keeps its place after its payment even at the same minute.
    events.sort_by_key(|(at, _)| *at);

    let mut balances = vec![0_i64; patients.len()];
    let mut ledger = Vec::with_capacity(events.len() + patients.len());
    let doctor_name = |a: &Appointment| {
        let person = &doctors[a.doctor].person;
        format!("Dr. {} {}", person.first, person.last)
    };
    for (at, event) in events {
        match event {
            Event::Opening(patient) => {
                let amount = rng.pick(&[5_000, 10_000, 10_000, 20_000, 30_000, 50_000]);
                balances[patient] += amount;
                ledger.push(LedgerEntry {
                    patient,
                    kind: LedgerKind::Deposit,
                    amount_cents: amount,
                    description: "Wallet top-up by card".to_owned(),
                    balance_after_cents: balances[patient],
                    appointment: None,
                    at,
                });
            }
            Event::Pay(index) => {
                let appointment = &appointments[index];
                let patient = appointment.patient;
                let short = appointment.fee_cents - balances[patient];
                if short > 0 {
                    // Rounded up to 50.00, sometimes with something to spare.
                    let top_up = (short + 4_999) / 5_000 * 5_000 + 5_000 * rng.range(0, 2);
                    balances[patient] += top_up;
                    ledger.push(LedgerEntry {
                        patient,
                        kind: LedgerKind::Deposit,
                        amount_cents: top_up,
                        description: "Wallet top-up by card".to_owned(),
                        balance_after_cents: balances[patient],
                        appointment: None,
                        at,
                    });
                }
                balances[patient] -= appointment.fee_cents;
                let slot = &slots[appointment.slot];
                ledger.push(LedgerEntry {
                    patient,
                    kind: LedgerKind::Payment,
                    amount_cents: -appointment.fee_cents,
                    description: format!(
                        "Appointment with {} on {}",
                        doctor_name(appointment),
                        slot.starts_at().format("%-d %b %Y at %H:%M")
                    ),
                    balance_after_cents: balances[patient],
                    appointment: Some(index),
                    at,
                });
            }
            Event::Refund(index) => {
                let appointment = &appointments[index];
                let patient = appointment.patient;
                balances[patient] += appointment.fee_cents;
                ledger.push(LedgerEntry {
                    patient,
                    kind: LedgerKind::Refund,
                    amount_cents: appointment.fee_cents,
                    description: format!(
                        "Refund: appointment with {} cancelled",
                        doctor_name(appointment)
                    ),
                    balance_after_cents: balances[patient],
                    appointment: Some(index),
                    at,
                });
            }
        }
    }
    (ledger, balances)
}

fn generate_reviews(
    count: usize,
    appointments: &[Appointment],
    doctors: &[Doctor],
    slots: &[Slot],
    clock: &Clock,
) -> Vec<Review> {
    let mut rng = Rng::stream(6);
    let mut completed: Vec<usize> = (0..appointments.len())
        .filter(|&i| appointments[i].status == Status::Completed)
        .collect();
    let mut reviews: Vec<Review> = rng
        .sample(&mut completed, count)
        .into_iter()
        .map(|index| {
            let appointment = &appointments[index];
            let rating = 1 + rng.weighted(doctors[appointment.doctor].ratings) as i16;
            let comments = match rating {
                5 | 4 => POSITIVE_COMMENTS,
                3 => MIXED_COMMENTS,
                _ => NEGATIVE_COMMENTS,
            };
            let end = slots[appointment.slot].ends_at();
            Review {
                appointment: index,
                rating,
                comment: if rng.chance(0.6) {
                    rng.pick(comments)
                } else {
                    ""
                },
                anonymous: rng.chance(0.15),
                at: (end + Duration::minutes(rng.range(30, 4 * 24 * 60))).min(clock.now_local),
            }
        })
        .collect();
    reviews.sort_by_key(|r| r.at);
    reviews
}

/// 1234567 → "1,234,567".
fn group_thousands(n: usize) -> String {
    app::domain::group_thousands(&n.to_string())
}

// ---------------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------------

struct Specialty {
    name: &'static str,
    description: &'static str,
    /// How common doctors of this specialty are, relative to the others.
    weight: u32,
}

const fn specialty(name: &'static str, weight: u32, description: &'static str) -> Specialty {
    Specialty {
        name,
        description,
        weight,
    }
}

const SPECIALTIES: &[Specialty] = &[
    specialty(
        "Allergy and Immunology",
        2,
        "Hay fever, food and drug allergies, asthma triggers and immune problems.",
    ),
    specialty(
        "Audiology",
        1,
        "Hearing tests, tinnitus and fitting and adjusting hearing aids.",
    ),
    specialty(
        "Cardiology",
        3,
        "Heart and blood vessels: chest pain, blood pressure, palpitations and heart checks.",
    ),
    specialty(
        "Cardiothoracic Surgery",
        1,
        "Surgery of the heart, lungs and chest, with assessment before and care after.",
    ),
    specialty(
        "Child and Adolescent Psychiatry",
        1,
        "Mental health of children and teenagers: anxiety, attention, mood and eating.",
    ),
    specialty(
        "Clinical Genetics",
        1,
        "Inherited conditions, family history and genetic testing explained.",
    ),
    specialty(
        "Colorectal Surgery",
        1,
        "Bowel, rectum and anus: piles, fissures, polyps and surgery when needed.",
    ),
    specialty(
        "Dentistry",
        3,
        "Check-ups, toothache, fillings, gum care and advice on keeping teeth healthy.",
    ),
    specialty(
        "Dermatology",
        3,
        "Skin, hair and nails: rashes, acne, moles and eczema.",
    ),
    specialty(
        "Diabetology",
        2,
        "Type 1 and type 2 diabetes: medication, monitoring and avoiding complications.",
    ),
    specialty(
        "Dietetics and Nutrition",
        2,
        "Eating plans for weight, allergies, digestion and long-term conditions.",
    ),
    specialty(
        "Endocrinology",
        2,
        "Hormones and glands: thyroid, adrenal, pituitary and metabolic problems.",
    ),
    specialty(
        "Gastroenterology",
        2,
        "Stomach, bowel and digestion: reflux, IBS, coeliac disease and colitis.",
    ),
    specialty(
        "General Practice",
        6,
        "Your first stop for everyday health questions, prescriptions and referrals.",
    ),
    specialty(
        "General Surgery",
        2,
        "Hernias, gallbladder, lumps and bumps: whether surgery helps, and the operation.",
    ),
    specialty(
        "Geriatrics",
        2,
        "Health in later life: falls, memory, many medicines and staying independent.",
    ),
    specialty(
        "Gynecology",
        3,
        "Periods, menopause, contraception, pelvic pain and screening.",
    ),
    specialty(
        "Hematology",
        1,
        "Blood disorders: anaemia, clotting, bleeding and abnormal blood counts.",
    ),
    specialty(
        "Hepatology",
        1,
        "Liver health: fatty liver, hepatitis and abnormal liver tests.",
    ),
    specialty(
        "Infectious Diseases",
        1,
        "Persistent or unusual infections, fevers after travel and antibiotic advice.",
    ),
    specialty(
        "Internal Medicine",
        3,
        "Adults with several or unclear conditions, assessed and treated as a whole.",
    ),
    specialty(
        "Nephrology",
        1,
        "Kidney health: kidney function, stones, protein in urine and blood pressure.",
    ),
    specialty(
        "Neurology",
        2,
        "Brain and nerves: headaches, dizziness, numbness and memory concerns.",
    ),
    specialty(
        "Neurosurgery",
        1,
        "Surgery of the brain, spine and nerves, from consultation to follow-up.",
    ),
    specialty(
        "Obstetrics",
        2,
        "Pregnancy care from planning to birth, and the weeks after.",
    ),
    specialty(
        "Occupational Medicine",
        1,
        "Health at work: fitness for duty, workplace injuries and returning to work.",
    ),
    specialty(
        "Oncology",
        2,
        "Cancer diagnosis and treatment planning, second opinions and follow-up.",
    ),
    specialty(
        "Ophthalmology",
        2,
        "Eyes and vision: sight tests, infections, glaucoma and cataract advice.",
    ),
    specialty(
        "Oral and Maxillofacial Surgery",
        1,
        "Wisdom teeth, jaw problems and surgery of the mouth and face.",
    ),
    specialty(
        "Orthopedics",
        3,
        "Bones, joints and muscles: sports injuries, back pain and arthritis.",
    ),
    specialty(
        "Otolaryngology",
        2,
        "Ear, nose and throat: sinus trouble, tonsils, hearing loss and voice problems.",
    ),
    specialty(
        "Pain Medicine",
        1,
        "Long-lasting pain managed with medicine, injections and self-help plans.",
    ),
    specialty(
        "Palliative Care",
        1,
        "Comfort and support for serious illness, for patients and their families.",
    ),
    specialty(
        "Pediatrics",
        4,
        "Care for babies, children and teenagers, from vaccinations to growing pains.",
    ),
    specialty(
        "Physiotherapy",
        3,
        "Exercise and hands-on treatment to recover movement after injury or surgery.",
    ),
    specialty(
        "Plastic Surgery",
        1,
        "Reconstruction after injury or illness, scars, and cosmetic procedures.",
    ),
    specialty(
        "Podiatry",
        1,
        "Feet and ankles: heel pain, nail problems, diabetic foot care and insoles.",
    ),
    specialty(
        "Psychiatry",
        3,
        "Mental health: anxiety, depression, sleep and stress, with therapy and medication.",
    ),
    specialty(
        "Psychology",
        3,
        "Talking therapies for anxiety, low mood, trauma and relationship difficulties.",
    ),
    specialty(
        "Pulmonology",
        2,
        "Lungs and breathing: asthma, COPD, persistent cough and breathlessness.",
    ),
    specialty(
        "Radiology",
        1,
        "Imaging explained: which scan you need and what the results mean.",
    ),
    specialty(
        "Rehabilitation Medicine",
        1,
        "Regaining function after stroke, injury or long illness.",
    ),
    specialty(
        "Reproductive Medicine",
        1,
        "Fertility assessment and treatment for individuals and couples.",
    ),
    specialty(
        "Rheumatology",
        2,
        "Joint and autoimmune conditions: arthritis, lupus, gout and stiffness.",
    ),
    specialty(
        "Sleep Medicine",
        1,
        "Insomnia, snoring, sleep apnoea and daytime sleepiness.",
    ),
    specialty(
        "Speech and Language Therapy",
        1,
        "Speech, language, voice and swallowing, for children and adults.",
    ),
    specialty(
        "Sports Medicine",
        2,
        "Sports injuries, safe training and getting back to activity.",
    ),
    specialty(
        "Travel Medicine",
        1,
        "Vaccines, malaria tablets and health advice before you travel.",
    ),
    specialty(
        "Urology",
        2,
        "Kidneys, bladder and prostate: urinary problems, stones and men's health.",
    ),
    specialty(
        "Vascular Surgery",
        1,
        "Arteries and veins: varicose veins, poor circulation and aneurysms.",
    ),
];

/// Relative weights of ratings 1 to 5: well liked, liked, and divisive doctors.
const RATING_PROFILES: [&[u32; 5]; 3] = [
    &[1, 1, 3, 20, 75],
    &[3, 4, 10, 35, 48],
    &[12, 14, 24, 28, 22],
];

/// Comma-separated (a list literal would take a line a name).
const FIRST_NAMES: &str = "\
    Aaliyah, Aaron, Abigail, Adam, Adebayo, Aditi, Ahmed, Aisha, Alejandro, Alexander, Alice, \
    Amara, Amelia, Amir, Ana, Andrea, Andrew, Anna, Anton, Arjun, Astrid, Ava, Beatriz, \
    Benjamin, Bianca, Carlos, Caroline, Charlotte, Chen, Chloe, Christopher, Claire, Daniel, \
    David, Diego, Dmitri, Elena, Elif, Elijah, Emily, Emma, Ethan, Fatima, Felix, Fiona, \
    Francesca, Gabriel, Grace, Hannah, Hana, Hassan, Helena, Hiroshi, Ibrahim, Ines, Ingrid, \
    Isaac, Isabella, Ivan, Jack, James, Javier, Jia, Joanna, John, Jonas, Joseph, Julia, Kai, \
    Karim, Katarzyna, Kwame, Laila, Laura, Leila, Leo, Liam, Lucas, Lucy, Luis, Maria, Mariam, \
    Mateo, Matthew, Maya, Mehmet, Mia, Michael, Mohammed, Nadia, Naomi, Nikolai, Noah, Nora, \
    Olga, Oliver, Olivia, Omar, Oscar, Pablo, Patrick, Priya, Rachel, Rafael, Rahul, Ravi, \
    Rebecca, Rosa, Ruth, Samuel, Sara, Sean, Sofia, Sophie, Stefan, Susan, Tariq, Thomas, \
    Tomasz, Valentina, Victor, Wei, William, Yara, Yusuf, Zainab, Zoe
";

/// Comma-separated; a name may have spaces.
const LAST_NAMES: &str = "\
    Abbott, Adeyemi, Ahmed, Ali, Allen, Andersen, Anderson, Baker, Bauer, Becker, Bennett, \
    Bianchi, Brown, Campbell, Carter, Castro, Chen, Clarke, Cohen, Collins, Costa, Cruz, Davies, \
    Dubois, Edwards, Evans, Fernandez, Fischer, Fitzgerald, Garcia, Gonzalez, Green, Gupta, \
    Haddad, Hall, Hansen, Harris, Hart, Hoffmann, Hughes, Ibrahim, Ivanova, Jackson, Jansen, \
    Johnson, Jones, Kaur, Khan, Kim, King, Kowalski, Kumar, Larsen, Laurent, Lee, Lewis, Lopez, \
    Mahmoud, Martin, Martinez, Mensah, Meyer, Miller, Moreau, Morris, Murphy, Nair, Nakamura, \
    Nguyen, Novak, O'Brien, O'Connor, Okafor, Olsen, Ortiz, Park, Patel, Petrov, Phillips, \
    Rahman, Reyes, Roberts, Robinson, Rossi, Russo, Sanchez, Santos, Schmidt, Schneider, Shah, \
    Silva, Singh, Smith, Sokolova, Suzuki, Tanaka, Taylor, Thomas, Thompson, Turner, \
    Van der Berg, Walker, Wang, Watson, Weber, Weiss, White, Williams, Wilson, Wong, Wright, \
    Yilmaz, Young, Zhang
";

const BIO_OPENERS: &[&str] = &[
    "Consultant in",
    "Specialist in",
    "Senior practitioner in",
    "Board-certified doctor in",
    "Experienced clinician in",
    "Hospital-trained specialist in",
];

const BIO_SENTENCES: &[&str] = &[
    "Explains test results in plain words and agrees a plan you can keep.",
    "Believes good care starts with listening, and leaves time for your questions.",
    "Sees adults and children, and offers follow-up by video when it suits you.",
    "Trained at a university hospital and teaches junior doctors alongside clinic work.",
    "Has a special interest in prevention and long-term conditions.",
    "Speaks three languages and is used to seeing patients from many backgrounds.",
    "Works closely with your GP so nothing falls between the cracks.",
    "Known for calm, thorough consultations and clear written summaries.",
    "Combines the latest evidence with practical advice for everyday life.",
    "Previously led a hospital department and now focuses on outpatient care.",
    "Takes a gentle approach with anxious patients and first visits.",
    "Publishes research on treatment outcomes and shares the findings with patients.",
];

const NOTES: &[&str] = &[
    "Follow-up on recent blood test results.",
    "Second opinion requested.",
    "Symptoms for about two weeks.",
    "Referred by my GP.",
    "Would like to discuss medication side effects.",
    "Repeat prescription review.",
    "Please check the mole on my left shoulder.",
    "Annual check-up.",
    "Pain got worse after exercise.",
    "Bringing previous scan reports.",
];

const POSITIVE_COMMENTS: &[&str] = &[
    "Very thorough and kind. Explained everything clearly.",
    "Listened carefully and didn't rush me at all.",
    "Excellent doctor, I felt in good hands.",
    "Quick diagnosis and the treatment worked within days.",
    "Friendly, professional and on time.",
    "Took my concerns seriously. Highly recommended.",
    "Great with my anxiety about the procedure.",
    "Clear advice and a useful written summary afterwards.",
];

const MIXED_COMMENTS: &[&str] = &[
    "Competent, but the appointment felt a bit rushed.",
    "Good advice, although I waited twenty minutes.",
    "Helpful overall; I would have liked more explanation.",
    "Fine consultation, nothing special.",
];

const NEGATIVE_COMMENTS: &[&str] = &[
    "Started late and seemed distracted.",
    "Did not really listen to what I said.",
    "I left with more questions than answers.",
    "Felt dismissive of my symptoms.",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Clock {
        Clock {
            time_zone: chrono_tz::Europe::Berlin,
            now_local: NaiveDate::from_ymd_opt(2026, 11, 25)
                .and_then(|d| d.and_hms_opt(10, 17, 0))
                .expect("valid"),
        }
    }

    #[test]
    fn the_plan_follows_the_scale() {
        let plan = ScalePlan::for_scale(100.0).expect("valid");
        assert_eq!(
            plan,
            ScalePlan {
                doctors: 10_000,
                patients: 20_000,
                slots: 1_000_000,
                appointments: 200_000,
                reviews: 100_000
            }
        );
        assert_eq!(ScalePlan::for_scale(0.2).expect("valid").doctors, 20);
        assert!(ScalePlan::for_scale(0.0).is_err());
        assert!(ScalePlan::for_scale(f64::NAN).is_err());
    }

    #[test]
    fn there_are_fifty_distinct_specialties() {
        assert_eq!(SPECIALTIES.len(), 50);
        let names: std::collections::HashSet<String> =
            SPECIALTIES.iter().map(|s| s.name.to_lowercase()).collect();
        assert_eq!(names.len(), 50);
    }

    #[test]
    fn generated_data_keeps_the_rules() {
        let plan = ScalePlan::for_scale(0.5).expect("valid");
        let clock = clock();
        let data = generate(&plan, &clock);
        assert_eq!(data.doctors.len(), plan.doctors);
        assert_eq!(data.slots.len(), plan.slots);
        assert_eq!(data.appointments.len(), plan.appointments);
        assert_eq!(data.reviews.len(), plan.reviews);

        // Slots of one doctor never overlap.
        let mut by_doctor: Vec<(usize, NaiveDateTime, NaiveDateTime)> = data
            .slots
            .iter()
            .map(|s| (s.doctor, s.starts_at(), s.ends_at()))
            .collect();
        by_doctor.sort();
        for pair in by_doctor.windows(2) {
            if pair[0].0 == pair[1].0 {
                assert!(pair[1].1 >= pair[0].2, "overlap: {pair:?}");
            }
        }
        // Fees, experience, handles.
        for doctor in &data.doctors {
            assert!((3_000..=25_000).contains(&doctor.fee_cents) && doctor.fee_cents % 500 == 0);
            assert!((1..=40).contains(&doctor.years));
        }
        let usernames: std::collections::HashSet<&str> = data
            .doctors
            .iter()
            .map(|d| d.person.username.as_str())
            .chain(data.patients.iter().map(|p| p.username.as_str()))
            .collect();
        assert_eq!(usernames.len(), data.doctors.len() + data.patients.len());
        // Statuses follow the clock; live appointments hold their slots.
        for a in &data.appointments {
            let slot = &data.slots[a.slot];
            match a.status {
                Status::Completed => assert!(slot.ends_at() <= clock.now_local),
                Status::Confirmed => assert!(slot.starts_at() > clock.now_local),
                Status::Cancelled => {}
            }
            assert_eq!(slot.available, a.status == Status::Cancelled);
            assert!(a.booked_at <= clock.now_local);
        }
        // The ledger never dips below zero and ends at the balances.
        let mut running = vec![0_i64; data.patients.len()];
        for entry in &data.ledger {
            running[entry.patient] += entry.amount_cents;
            assert_eq!(running[entry.patient], entry.balance_after_cents);
            assert!(entry.balance_after_cents >= 0);
        }
        assert_eq!(running, data.balances);
    }

    #[test]
    fn licenses_and_transaction_ids_are_unique() {
        let licenses: std::collections::HashSet<String> =
            (0..100_000).map(license_number).collect();
        assert_eq!(licenses.len(), 100_000);
        let ids: std::collections::HashSet<String> = (0..100_000).map(transaction_id).collect();
        assert_eq!(ids.len(), 100_000);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}
