//! Data builders: accounts, a clinic's doctors and slots, and the `World` of one doctor and
//! patients with wallets, made with exactly the values the tests rely on.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use app::domain::booking::BookingOutcome;
use app::domain::wallet::TransactionType;
use app::domain::{AppError, Money, UserRole};
use app::services::accounts::{self, Registration};
use app::services::ledger::{self, Posting};
use app::services::{booking, wallet};

use super::database::TestDb;
use super::values::{key, money, settings};

/// The password every account the builders register signs in with.
pub const PASSWORD: &str = "plum-kettle-orbit-42";

/// A valid registration for `username` at `email` (Ann Lee, a London phone, [`PASSWORD`]).
pub fn form(username: &str, email: &str) -> Registration {
    Registration {
        username: username.to_owned(),
        email: email.to_owned(),
        first_name: "Ann".to_owned(),
        last_name: "Lee".to_owned(),
        phone: "+44 20 7946 0001".to_owned(),
        password: PASSWORD.to_owned(),
    }
}

/// Registers `username` with `role`; returns the id.
pub async fn account(db: &TestDb, username: &str, role: UserRole) -> i64 {
    let id = accounts::register(
        &db.pool,
        form(username, &format!("{username}@example.com")),
        Utc::now(),
    )
    .await
    .expect("register")
    .id;
    sqlx::query("UPDATE users SET user_type = $2 WHERE id = $1")
        .bind(id)
        .bind(role.as_str())
        .execute(&db.pool)
        .await
        .expect("role");
    id
}

/// Marks `user`'s email address as confirmed, as the code from the email would.
pub async fn confirm_email(db: &TestDb, user: i64) {
    sqlx::query("UPDATE users SET email_verified_at = now() WHERE id = $1")
        .bind(user)
        .execute(&db.pool)
        .await
        .expect("verify");
}

/// The clinic's local time now (the tests' configuration uses Europe/London).
pub fn local_now() -> NaiveDateTime {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .naive_local()
}

/// Builds doctors with exactly the values a test sorts and filters on.
pub struct Clinic<'a> {
    db: &'a TestDb,
    admin: i64,
}

/// The values of a doctor that `Clinic::doctor` makes.
pub struct NewDoctor<'a> {
    pub first: &'a str,
    pub last: &'a str,
    pub specialty: i64,
    pub rating: &'a str,
    pub reviews: i32,
    pub fee: &'a str,
    pub years: i32,
}

impl<'a> Clinic<'a> {
    pub async fn new(db: &'a TestDb) -> Self {
        let admin = sqlx::query_scalar(
            "INSERT INTO users (username, email, password_hash, user_type)
             VALUES ('root', 'root@clinic.example', 'x', 'admin') RETURNING id",
        )
        .fetch_one(&db.pool)
        .await
        .expect("admin");
        Self { db, admin }
    }

    pub async fn specialty(&self, name: &str) -> i64 {
        sqlx::query_scalar("INSERT INTO specialties (name) VALUES ($1) RETURNING id")
            .bind(name)
            .fetch_one(&self.db.pool)
            .await
            .expect("specialty")
    }

    pub async fn doctor(&self, d: NewDoctor<'_>) -> i64 {
        let username = format!("{}.{}", d.first, d.last).to_lowercase();
        let user: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, email, first_name, last_name, password_hash, user_type)
             VALUES ($1, $1 || '@clinic.example', $2, $3, 'x', 'doctor') RETURNING id",
        )
        .bind(&username)
        .bind(d.first)
        .bind(d.last)
        .fetch_one(&self.db.pool)
        .await
        .expect("doctor user");
        sqlx::query_scalar(
            "INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio,
                                  consultation_fee, average_rating, total_reviews, created_by)
             VALUES ($1, $2, 'LIC-' || $1, $3, '', $4::numeric, $5::numeric, $6, $7) RETURNING id",
        )
        .bind(user)
        .bind(d.specialty)
        .bind(d.years)
        .bind(d.fee)
        .bind(d.rating)
        .bind(d.reviews)
        .bind(self.admin)
        .fetch_one(&self.db.pool)
        .await
        .expect("doctor")
    }

    /// A free 30-minute slot `days` days from today at `hour`:00, local time.
    pub async fn slot(&self, doctor: i64, days: i64, hour: u32) -> i64 {
        let date = local_now().date() + Duration::days(days);
        let start = NaiveTime::from_hms_opt(hour, 0, 0).expect("hour");
        sqlx::query_scalar(
            "INSERT INTO time_slots (doctor_id, date, start_time, end_time, created_by)
             VALUES ($1, $2, $3, $3 + interval '30 minutes', $4) RETURNING id",
        )
        .bind(doctor)
        .bind(date)
        .bind(start)
        .bind(self.admin)
        .fetch_one(&self.db.pool)
        .await
        .expect("slot")
    }
}

/// A clinic with one doctor (fee 80.00) and patients with wallets.
pub struct World<'a> {
    pub db: &'a TestDb,
    pub clinic: Clinic<'a>,
    pub doctor: i64,
    pub doctor_user: i64,
}

impl<'a> World<'a> {
    pub async fn new(db: &'a TestDb) -> Self {
        let clinic = Clinic::new(db).await;
        let specialty = clinic.specialty("Cardiology").await;
        let doctor = clinic
            .doctor(NewDoctor {
                first: "Jo",
                last: "Heart",
                specialty,
                rating: "4.5",
                reviews: 2,
                fee: "80.00",
                years: 10,
            })
            .await;
        let doctor_user = sqlx::query_scalar("SELECT user_id FROM doctors WHERE id = $1")
            .bind(doctor)
            .fetch_one(&db.pool)
            .await
            .expect("doctor user");
        Self {
            db,
            clinic,
            doctor,
            doctor_user,
        }
    }

    /// A verified patient whose wallet holds `balance` (one deposit in the ledger).
    pub async fn patient(&self, username: &str, balance: &str) -> i64 {
        let user = accounts::register(
            &self.db.pool,
            form(username, &format!("{username}@example.com")),
            Utc::now(),
        )
        .await
        .expect("register")
        .id;
        confirm_email(self.db, user).await;
        self.deposit(user, balance).await;
        user
    }

    pub async fn deposit(&self, user: i64, amount: &str) {
        if money(amount) == Money::ZERO {
            return;
        }
        let mut conn = self.db.pool.acquire().await.expect("connection");
        ledger::post(
            &mut conn,
            Posting {
                user_id: user,
                kind: TransactionType::Deposit,
                amount: money(amount),
                description: "Test top-up",
                appointment_id: None,
                actor: Some(user),
            },
        )
        .await
        .expect("deposit")
        .expect("posted");
    }

    pub async fn slot(&self, days: i64, hour: u32) -> i64 {
        self.clinic.slot(self.doctor, days, hour).await
    }

    pub async fn balance(&self, user: i64) -> Money {
        wallet::balance(&self.db.pool, user).await.expect("balance")
    }

    pub async fn starts_at(&self, slot: i64) -> DateTime<Utc> {
        let (date, start): (NaiveDate, NaiveTime) =
            sqlx::query_as("SELECT date, start_time FROM time_slots WHERE id = $1")
                .bind(slot)
                .fetch_one(&self.db.pool)
                .await
                .expect("slot");
        settings().instant_of(date, start).expect("instant")
    }

    pub async fn status(&self, appointment: i64) -> (String, Option<String>) {
        sqlx::query_as(
            "SELECT a.status::text, p.status::text FROM appointments a
               LEFT JOIN payments p ON p.appointment_id = a.id WHERE a.id = $1",
        )
        .bind(appointment)
        .fetch_one(&self.db.pool)
        .await
        .expect("status")
    }

    pub async fn slot_free(&self, slot: i64) -> bool {
        sqlx::query_scalar("SELECT is_available FROM time_slots WHERE id = $1")
            .bind(slot)
            .fetch_one(&self.db.pool)
            .await
            .expect("slot")
    }

    pub async fn ledger_rows(&self, user: i64, kind: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM wallet_transactions WHERE user_id = $1 AND transaction_type = $2",
        )
        .bind(user)
        .bind(kind)
        .fetch_one(&self.db.pool)
        .await
        .expect("count")
    }

    pub async fn book(
        &self,
        patient: i64,
        slot: i64,
        now: DateTime<Utc>,
    ) -> Result<BookingOutcome, AppError> {
        booking::book(&self.db.pool, &settings(), patient, slot, "", &key(), now).await
    }
}

pub fn confirmed(outcome: Result<BookingOutcome, AppError>) -> i64 {
    match outcome {
        Ok(BookingOutcome::Confirmed { appointment_id }) => appointment_id,
        other => panic!("expected a confirmed booking, got {other:?}"),
    }
}
