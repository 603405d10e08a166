//! Large generated data sets for measuring the app at scale (`seed-demo --scale N`): doctors,
//! slots, appointments, payments, the wallet ledger and reviews, consistent with every rule of
//! the schema, bulk-loaded with COPY in one transaction.
//!
//! Everything is generated in memory first, from a seeded generator, so the same plan gives the
//! same data; the rows refer to each other by position, and positions become ids once PostgreSQL
//! has numbered each table (read back and checked, see `load.rs`).
//!
//! The steps, one file each: the plan (`plan.rs`), generating every table (`generate/`), the
//! foreign keys off and back on (`keys.rs`), copying (`load.rs` over `copy.rs`), and what was
//! done (`report.rs`). [`seed`] runs them in order, with the statistics and the derived columns.

mod copy;
mod generate;
mod keys;
mod load;
mod plan;
mod report;

use std::time::Instant;

use anyhow::Context;
use app::services::page_changes::{PageChange, announce};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

pub use plan::ScalePlan;
pub use report::{SeedOutcome, SeedReport};

use crate::tools::demo::DEMO_PASSWORD;
use crate::tools::progress::Progress;
use generate::specialties::SPECIALTIES;
use generate::{Status, generate};
use keys::{drop_foreign_keys, restore_foreign_keys};
use load::load;
use plan::Clock;
use report::group_thousands;

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

/// What a seeding tells as it goes: a line per finished step, and the rows it copies. A closure
/// taking the lines is one (the rows are then not counted).
pub trait SeedProgress {
    /// A step finished, in words.
    fn step(&mut self, line: String);
    /// The data set is generated: `rows` rows are to be copied.
    fn planned(&mut self, _rows: u64) {}
    /// `rows` more rows went to the server.
    fn copied(&mut self, _rows: u64) {}
}

impl<F: FnMut(String)> SeedProgress for F {
    fn step(&mut self, line: String) {
        self(line)
    }
}

/// `seed-demo --scale`'s progress on the terminal: a bar over the rows copied, with each step's
/// line above it (or, off a terminal, the lines and a line every tenth of the rows).
struct TerminalProgress {
    bar: Progress,
    planned: u64,
    copied: u64,
}

impl SeedProgress for TerminalProgress {
    fn step(&mut self, line: String) {
        self.bar.line(format!("  {line}"));
    }
    fn planned(&mut self, rows: u64) {
        self.planned = rows;
        self.bar.set_length(rows);
        self.bar.set_message("copying");
    }
    fn copied(&mut self, rows: u64) {
        self.copied += rows;
        self.bar.inc(rows);
        if self.copied >= self.planned {
            // What follows the copying takes a while at large scales: say what it is.
            self.bar
                .set_message("finishing: keys, ratings, commit, vacuum");
        }
    }
}

/// Loads a generated data set of `plan`'s size around `now` (slot dates and times are local to
/// `time_zone`), if the database has no users and no specialties yet. `progress` hears of each
/// step and of the rows copied.
pub async fn seed(
    pool: &PgPool,
    plan: &ScalePlan,
    now: DateTime<Utc>,
    time_zone: Tz,
    progress: &mut dyn SeedProgress,
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
    progress.planned(
        (SPECIALTIES.len()
            + 1
            + data.doctors.len() * 2
            + data.patients.len()
            + data.slots.len()
            + data.appointments.len() * 2
            + data.ledger.len()
            + data.reviews.len()) as u64,
    );
    progress.step(format!(
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
    progress.step(format!(
        "computed ratings and next free slots in {:.1} s",
        step.elapsed().as_secs_f64()
    ));

    let step = Instant::now();
    tx.commit().await?;
    announce(pool, &[PageChange::Everything]).await;
    progress.step(format!(
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
    progress.step(format!(
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

/// `seed-demo --scale N`: seeds `plan` around the present moment, with progress on standard error
/// and the report on standard output.
pub async fn seed_and_report(pool: &PgPool, plan: &ScalePlan, time_zone: Tz) -> anyhow::Result<()> {
    eprintln!(
        "Generating {} doctors, {} patients, {} slots, {} appointments and {} reviews...",
        plan.doctors, plan.patients, plan.slots, plan.appointments, plan.reviews
    );
    let mut progress = TerminalProgress {
        bar: Progress::bar(0, "rows"),
        planned: 0,
        copied: 0,
    };
    progress.bar.set_message("generating");
    let outcome = seed(pool, plan, Utc::now(), time_zone, &mut progress).await;
    progress.bar.finish();
    let outcome = outcome.context("could not load the generated data set")?;
    match outcome {
        SeedOutcome::Seeded(report) => {
            println!("Loaded the generated data set:\n{report}");
            println!(
                "\nEvery account's password is {}; for example admin, {} (doctor), {} (patient).",
                DEMO_PASSWORD, report.sample_doctor, report.sample_patient
            );
        }
        SeedOutcome::NotEmpty { users, doctors } => {
            println!(
                "The database already has data ({users} users, {doctors} doctors); the generated \
                 data set was not loaded. Use an empty database, such as one from \
                 `server local-db start --database NAME --fresh`."
            );
        }
    }
    Ok(())
}
