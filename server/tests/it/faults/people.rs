//! The people: the data they start from (doctors with free slots, verified patients with past
//! visits to review), what each patient was told by the answers they got, how the database
//! must match it, and the totals of it all.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use sqlx::PgPool;

use super::{DOCTORS, FEE, PATIENTS, SLOT_DAYS, SLOTS_A_DAY, VISITS_TO_REVIEW};
use crate::harness::form;

pub(super) struct People {
    pub(super) doctors: Vec<i64>,
    pub(super) slots: Vec<i64>,
    pub(super) patients: Vec<Patient>,
}

pub(super) async fn seed(pool: &PgPool) -> People {
    let admin: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, email, password_hash, user_type)
         VALUES ('root', 'root@clinic.example', 'x', 'admin') RETURNING id",
    )
    .fetch_one(pool)
    .await
    .expect("admin");
    let specialty: i64 =
        sqlx::query_scalar("INSERT INTO specialties (name) VALUES ('Cardiology') RETURNING id")
            .fetch_one(pool)
            .await
            .expect("specialty");
    let mut doctors = Vec::new();
    for n in 0..DOCTORS {
        let user: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, email, first_name, last_name, password_hash, user_type)
             VALUES ($1, $1 || '@clinic.example', 'Jo', $2, 'x', 'doctor') RETURNING id",
        )
        .bind(format!("doctor{n}"))
        .bind(format!("Heart{n}"))
        .fetch_one(pool)
        .await
        .expect("doctor's account");
        let doctor: i64 = sqlx::query_scalar(
            "INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio,
                                  consultation_fee, created_by)
             VALUES ($1, $2, 'LIC-' || $1, 10, '', $3::numeric, $4) RETURNING id",
        )
        .bind(user)
        .bind(specialty)
        .bind(FEE)
        .bind(admin)
        .fetch_one(pool)
        .await
        .expect("doctor");
        doctors.push(doctor);
    }
    // Free slots from the day after tomorrow on (past any booking notice, and so far ahead
    // that every cancellation is free and refunds the whole fee).
    let slots: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO time_slots (doctor_id, date, start_time, end_time, created_by)
         SELECT d, current_date + day, time '08:00' + n * interval '30 minutes',
                time '08:30' + n * interval '30 minutes', $2
           FROM unnest($1::bigint[]) d, generate_series(2, 1 + $3) day, generate_series(0, $4 - 1) n
         RETURNING id",
    )
    .bind(&doctors)
    .bind(admin)
    .bind(SLOT_DAYS)
    .bind(SLOTS_A_DAY)
    .fetch_all(pool)
    .await
    .expect("slots");

    let mut patients = Vec::new();
    for n in 0..PATIENTS {
        let username = format!("patient{n}");
        let id = app::services::accounts::register(
            pool,
            form(&username, &format!("{username}@example.com")),
            chrono::Utc::now(),
        )
        .await
        .expect("register a patient")
        .id;
        sqlx::query("UPDATE users SET email_verified_at = now() WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .expect("verify the patient");
        // Free visits in the past, completed, for the patient to review.
        let visits: Vec<i64> = sqlx::query_scalar(
            "WITH slot AS (
                 INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
                 SELECT $2, current_date - 1 - $3, time '08:00' + k * interval '30 minutes',
                        time '08:30' + k * interval '30 minutes', FALSE, $4
                   FROM generate_series(0, $5 - 1) k
                 RETURNING id)
             INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
             SELECT $1, $2, id, 'completed', 0 FROM slot
             RETURNING id",
        )
        .bind(id)
        .bind(doctors[0])
        .bind(n as i32)
        .bind(admin)
        .bind(VISITS_TO_REVIEW as i32)
        .fetch_all(pool)
        .await
        .expect("visits to review");
        patients.push(Patient {
            id,
            username,
            cookie: String::new(),
            model: Model {
                to_review: visits.clone(),
                seeded_visits: visits,
                ..Model::default()
            },
        });
    }
    People {
        doctors,
        slots,
        patients,
    }
}

// ---------------------------------------------------------------------------------------------
// The people and what they were told.

/// Everything a patient was told by a definite answer.
#[derive(Default)]
pub(super) struct Model {
    pub(super) seeded_visits: Vec<i64>,
    pub(super) to_review: Vec<i64>,
    /// Appointment id: its status as the last answer about it left it.
    pub(super) appointments: BTreeMap<i64, &'static str>,
    pub(super) deposits: Vec<Decimal>,
    /// Appointments paid (at booking or as a hold).
    pub(super) paid: BTreeSet<i64>,
    /// Appointment id: the refund its cancellation gave (only those above zero).
    pub(super) refunds: BTreeMap<i64, Decimal>,
    pub(super) reviewed: BTreeSet<i64>,
    /// Reviews whose answer never came though a later try was refused: either outcome is right.
    pub(super) maybe_reviewed: BTreeSet<i64>,
    pub(super) sign_ins: u64,
    /// Every session id a sign-in gave (none may be in a log).
    pub(super) session_ids: Vec<String>,
    pub(super) slots_taken: u64,
}

impl Model {
    /// The patient's appointments whose last known status passes `keep`.
    pub(super) fn appointments_where(&self, keep: impl Fn(&str) -> bool) -> Vec<i64> {
        let known = self.appointments.iter();
        known
            .filter(|(_, status)| keep(status))
            .map(|(id, _)| *id)
            .collect()
    }
}

pub(super) struct Patient {
    pub(super) id: i64,
    pub(super) username: String,
    pub(super) cookie: String,
    pub(super) model: Model,
}

impl Patient {
    /// How the database differs from what this patient was told; empty when it matches.
    pub(super) async fn differences(&self, pool: &PgPool) -> Vec<String> {
        let who = &self.username;
        let mut found = Vec::new();
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, status FROM appointments
              WHERE patient_id = $1 AND id <> ALL($2) ORDER BY id",
        )
        .bind(self.id)
        .bind(&self.model.seeded_visits)
        .fetch_all(pool)
        .await
        .expect("appointments");
        let stored: BTreeMap<i64, String> = rows.into_iter().collect();
        let told: BTreeMap<i64, String> = self
            .model
            .appointments
            .iter()
            .map(|(id, status)| (*id, (*status).to_owned()))
            .collect();
        if stored != told {
            found.push(format!(
                "{who}: appointments in the database {stored:?}, answers said {told:?}"
            ));
        }
        let deposits: Vec<Decimal> = sqlx::query_scalar(
            "SELECT amount FROM wallet_transactions
              WHERE user_id = $1 AND transaction_type = 'deposit' ORDER BY id",
        )
        .bind(self.id)
        .fetch_all(pool)
        .await
        .expect("deposits");
        if deposits != self.model.deposits {
            found.push(format!(
                "{who}: deposits in the ledger {deposits:?}, top-ups answered {:?}",
                self.model.deposits
            ));
        }
        let paid: BTreeSet<i64> = sqlx::query_scalar(
            "SELECT appointment_id FROM wallet_transactions
              WHERE user_id = $1 AND transaction_type = 'payment'",
        )
        .bind(self.id)
        .fetch_all(pool)
        .await
        .expect("payments")
        .into_iter()
        .collect();
        if paid != self.model.paid {
            found.push(format!(
                "{who}: payments in the ledger for {paid:?}, answers said {:?}",
                self.model.paid
            ));
        }
        let refunds: BTreeMap<i64, Decimal> = sqlx::query_as(
            "SELECT appointment_id, amount FROM wallet_transactions
              WHERE user_id = $1 AND transaction_type = 'refund'",
        )
        .bind(self.id)
        .fetch_all(pool)
        .await
        .expect("refunds")
        .into_iter()
        .collect();
        if refunds != self.model.refunds {
            found.push(format!(
                "{who}: refunds in the ledger {refunds:?}, cancellations answered {:?}",
                self.model.refunds
            ));
        }
        let withdrawals: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM wallet_transactions
              WHERE user_id = $1 AND transaction_type = 'withdrawal'",
        )
        .bind(self.id)
        .fetch_one(pool)
        .await
        .expect("withdrawals");
        if withdrawals != 0 {
            found.push(format!("{who}: {withdrawals} withdrawals nobody asked for"));
        }
        let reviewed: BTreeSet<i64> =
            sqlx::query_scalar("SELECT appointment_id FROM reviews WHERE patient_id = $1")
                .bind(self.id)
                .fetch_all(pool)
                .await
                .expect("reviews")
                .into_iter()
                .collect();
        let certain: BTreeSet<i64> = reviewed
            .difference(&self.model.maybe_reviewed)
            .copied()
            .collect();
        if certain != self.model.reviewed {
            found.push(format!(
                "{who}: reviews in the database for {reviewed:?}, answers said {:?}",
                self.model.reviewed
            ));
        }
        found
    }
}

/// What the patients were told, added up.
#[derive(Default)]
pub(super) struct Totals {
    pub(super) sign_ins: u64,
    pub(super) top_ups: usize,
    pub(super) bookings: usize,
    pub(super) paid: usize,
    pub(super) cancelled: usize,
    pub(super) reviews: usize,
    pub(super) slots_taken: u64,
}

impl Totals {
    pub(super) fn add(&mut self, model: &Model) {
        self.sign_ins += model.sign_ins;
        self.top_ups += model.deposits.len();
        self.bookings += model.appointments.len();
        self.paid += model.paid.len();
        self.cancelled += model
            .appointments
            .values()
            .filter(|status| **status == "cancelled")
            .count();
        self.reviews += model.reviewed.len();
        self.slots_taken += model.slots_taken;
    }

    pub(super) fn summary(&self) -> String {
        format!(
            "succeeded and checked in the database: {} sign-ins, {} top-ups, {} bookings ({} paid, {} cancelled since), {} reviews; {} slots were taken by someone else first",
            self.sign_ins,
            self.top_ups,
            self.bookings,
            self.paid,
            self.cancelled,
            self.reviews,
            self.slots_taken
        )
    }
}
