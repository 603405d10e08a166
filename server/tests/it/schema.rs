//! The schema holds the line: each test tries to break one rule against the real database and
//! asserts that PostgreSQL refuses, naming the constraint that did.

use std::fmt::Debug;

use rust_decimal::Decimal;
use sqlx::PgPool;

use crate::harness::{TestDb, count, decimal};

fn assert_refused<T: Debug>(result: Result<T, sqlx::Error>, constraint: &str) {
    match result {
        Err(sqlx::Error::Database(err)) => {
            assert_eq!(
                err.constraint(),
                Some(constraint),
                "refused, but by another rule: {err}"
            )
        }
        other => panic!("expected the database to refuse with {constraint}, got {other:?}"),
    }
}

async fn insert_user(
    pool: &PgPool,
    username: &str,
    email: &str,
    user_type: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (username, email, password_hash, user_type) VALUES ($1, $2, 'x', $3) RETURNING id",
    )
    .bind(username)
    .bind(email)
    .bind(user_type)
    .fetch_one(pool)
    .await
}

/// A small world: an admin, a specialty, two doctors, two patients, a slot of the first doctor.
struct World {
    admin: i64,
    specialty: i64,
    doctor: i64,
    doctor_user: i64,
    other_doctor: i64,
    patient: i64,
    other_patient: i64,
    slot: i64,
}

async fn world(pool: &PgPool) -> World {
    let admin = insert_user(pool, "admin", "admin@clinic.example", "admin")
        .await
        .expect("admin");
    let patient = insert_user(pool, "ann", "ann@example.com", "patient")
        .await
        .expect("patient");
    let other_patient = insert_user(pool, "ben", "ben@example.com", "patient")
        .await
        .expect("patient");
    let doctor_user = insert_user(pool, "dr.hart", "hart@clinic.example", "doctor")
        .await
        .expect("doctor");
    let other_doctor_user = insert_user(pool, "dr.kim", "kim@clinic.example", "doctor")
        .await
        .expect("doctor");
    let specialty: i64 =
        sqlx::query_scalar("INSERT INTO specialties (name) VALUES ('Cardiology') RETURNING id")
            .fetch_one(pool)
            .await
            .expect("specialty");
    let doctor = insert_doctor(pool, doctor_user, specialty, "LIC-1", admin)
        .await
        .expect("doctor");
    let other_doctor = insert_doctor(pool, other_doctor_user, specialty, "LIC-2", admin)
        .await
        .expect("doctor");
    let slot = insert_slot(pool, doctor, "2030-01-07", "09:00", "09:30", doctor_user)
        .await
        .expect("slot");
    World {
        admin,
        specialty,
        doctor,
        doctor_user,
        other_doctor,
        patient,
        other_patient,
        slot,
    }
}

async fn insert_doctor(
    pool: &PgPool,
    user: i64,
    specialty: i64,
    license: &str,
    admin: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio, consultation_fee, created_by)
         VALUES ($1, $2, $3, 10, 'Bio', 100.00, $4) RETURNING id",
    )
    .bind(user)
    .bind(specialty)
    .bind(license)
    .bind(admin)
    .fetch_one(pool)
    .await
}

async fn insert_slot(
    pool: &PgPool,
    doctor: i64,
    date: &str,
    start: &str,
    end: &str,
    by: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO time_slots (doctor_id, date, start_time, end_time, created_by)
         VALUES ($1, $2::date, $3::time, $4::time, $5) RETURNING id",
    )
    .bind(doctor)
    .bind(date)
    .bind(start)
    .bind(end)
    .bind(by)
    .fetch_one(pool)
    .await
}

async fn insert_appointment(
    pool: &PgPool,
    patient: i64,
    doctor: i64,
    slot: i64,
    status: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee,
                                   hold_expires_at)
         VALUES ($1, $2, $3, $4, 100.00,
                 CASE WHEN $4 = 'pending' THEN now() + interval '15 minutes' END) RETURNING id",
    )
    .bind(patient)
    .bind(doctor)
    .bind(slot)
    .bind(status)
    .fetch_one(pool)
    .await
}

async fn insert_payment(
    pool: &PgPool,
    appointment: i64,
    amount: &str,
    transaction: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO payments (appointment_id, amount, status, transaction_id, paid_at)
         VALUES ($1, $2, 'completed', $3, now()) RETURNING id",
    )
    .bind(appointment)
    .bind(decimal(amount))
    .bind(transaction)
    .fetch_one(pool)
    .await
}

async fn insert_review(
    pool: &PgPool,
    appointment: i64,
    patient: i64,
    doctor: i64,
    rating: i16,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(appointment)
    .bind(patient)
    .bind(doctor)
    .bind(rating)
    .fetch_one(pool)
    .await
}

#[tokio::test]
async fn wallet_balance_never_goes_negative() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let result =
        sqlx::query("UPDATE users SET wallet_balance = wallet_balance - 0.01 WHERE id = $1")
            .bind(w.patient)
            .execute(&db.pool)
            .await;
    assert_refused(result, "users_wallet_balance_check");
    let balance: Decimal = sqlx::query_scalar("SELECT wallet_balance FROM users WHERE id = $1")
        .bind(w.patient)
        .fetch_one(&db.pool)
        .await
        .expect("balance");
    assert_eq!(balance, Decimal::ZERO, "a refused change changes nothing");
}

#[tokio::test]
async fn usernames_and_emails_are_unique_and_emails_case_insensitively() {
    let db = TestDb::new().await;
    insert_user(&db.pool, "ann", "Ann@Example.com", "patient")
        .await
        .expect("first user");
    assert_refused(
        insert_user(&db.pool, "ann", "other@example.com", "patient").await,
        "users_username_key",
    );
    assert_refused(
        insert_user(&db.pool, "ann2", "ann@example.COM", "patient").await,
        "users_email_key",
    );
}

#[tokio::test]
async fn user_types_are_the_documented_ones() {
    let db = TestDb::new().await;
    assert_refused(
        insert_user(&db.pool, "root", "root@example.com", "superuser").await,
        "users_user_type_check",
    );
    for (i, user_type) in ["admin", "patient", "doctor"].into_iter().enumerate() {
        insert_user(
            &db.pool,
            &format!("u{i}"),
            &format!("u{i}@example.com"),
            user_type,
        )
        .await
        .expect("a documented user type is accepted");
    }
}

#[tokio::test]
async fn specialty_names_are_unique_regardless_of_case() {
    let db = TestDb::new().await;
    sqlx::query("INSERT INTO specialties (name) VALUES ('Cardiology')")
        .execute(&db.pool)
        .await
        .expect("first");
    let result = sqlx::query("INSERT INTO specialties (name) VALUES ('CARDIOLOGY')")
        .execute(&db.pool)
        .await;
    assert_refused(result, "specialties_name_key");
}

#[tokio::test]
async fn doctor_rules_license_fee_experience_and_one_profile_per_user() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let user = insert_user(&db.pool, "dr.new", "new@clinic.example", "doctor")
        .await
        .expect("user");
    assert_refused(
        insert_doctor(&db.pool, user, w.specialty, "LIC-1", w.admin).await,
        "doctors_license_number_key",
    );
    assert_refused(
        insert_doctor(&db.pool, w.doctor_user, w.specialty, "LIC-9", w.admin).await,
        "doctors_user_id_key",
    );
    let negative_fee = sqlx::query("UPDATE doctors SET consultation_fee = -1 WHERE id = $1")
        .bind(w.doctor)
        .execute(&db.pool)
        .await;
    assert_refused(negative_fee, "doctors_consultation_fee_check");
    let negative_years = sqlx::query("UPDATE doctors SET experience_years = -1 WHERE id = $1")
        .bind(w.doctor)
        .execute(&db.pool)
        .await;
    assert_refused(negative_years, "doctors_experience_years_check");
    let impossible_rating = sqlx::query("UPDATE doctors SET average_rating = 5.01 WHERE id = $1")
        .bind(w.doctor)
        .execute(&db.pool)
        .await;
    assert_refused(impossible_rating, "doctors_average_rating_check");
}

#[tokio::test]
async fn a_slot_ends_after_it_starts() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    assert_refused(
        insert_slot(
            &db.pool,
            w.doctor,
            "2030-01-08",
            "10:00",
            "09:00",
            w.doctor_user,
        )
        .await,
        "time_slots_time_range_check",
    );
    assert_refused(
        insert_slot(
            &db.pool,
            w.doctor,
            "2030-01-08",
            "10:00",
            "10:00",
            w.doctor_user,
        )
        .await,
        "time_slots_time_range_check",
    );
}

#[tokio::test]
async fn slots_of_one_doctor_never_overlap_but_may_touch() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    // The world's slot is 2030-01-07 09:00-09:30.
    assert_refused(
        insert_slot(
            &db.pool,
            w.doctor,
            "2030-01-07",
            "09:15",
            "09:45",
            w.doctor_user,
        )
        .await,
        "time_slots_no_overlap",
    );
    assert_refused(
        insert_slot(
            &db.pool,
            w.doctor,
            "2030-01-07",
            "08:00",
            "12:00",
            w.doctor_user,
        )
        .await,
        "time_slots_no_overlap",
    );
    insert_slot(
        &db.pool,
        w.doctor,
        "2030-01-07",
        "09:30",
        "10:00",
        w.doctor_user,
    )
    .await
    .expect("a slot that starts when another ends");
    insert_slot(
        &db.pool,
        w.other_doctor,
        "2030-01-07",
        "09:00",
        "09:30",
        w.doctor_user,
    )
    .await
    .expect("another doctor's slot at the same time");
}

#[tokio::test]
async fn racing_overlapping_slots_only_one_wins() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let attempts = (0..8).map(|i| {
        let pool = db.pool.clone();
        let start = format!("14:{:02}", i * 5);
        tokio::spawn(async move {
            insert_slot(
                &pool,
                w.doctor,
                "2030-02-01",
                &start,
                "15:00",
                w.doctor_user,
            )
            .await
        })
    });
    let results = futures_join_all(attempts).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(
        won, 1,
        "exactly one of the overlapping slots is created: {results:?}"
    );
    // Racing inserts checked by an exclusion constraint can wait on each other's uncommitted
    // rows, and PostgreSQL then ends some as a deadlock instead: refused all the same. (The app
    // queues one doctor's slot writers, so its users only ever see the overlap; see
    // `slots::racing_requests_for_overlapping_slots_leave_exactly_one`.)
    for result in results.into_iter().filter(Result::is_err) {
        match result {
            Err(sqlx::Error::Database(err)) if err.code().as_deref() == Some("40P01") => {}
            other => assert_refused(other, "time_slots_no_overlap"),
        }
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM time_slots WHERE date = '2030-02-01'"
        )
        .await,
        1
    );
}

async fn futures_join_all<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<Result<T, sqlx::Error>>>,
) -> Vec<Result<T, sqlx::Error>> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.expect("task"));
    }
    results
}

#[tokio::test]
async fn one_live_appointment_per_slot_and_history_is_kept() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let first = insert_appointment(&db.pool, w.patient, w.doctor, w.slot, "confirmed")
        .await
        .expect("first");
    assert_refused(
        insert_appointment(&db.pool, w.other_patient, w.doctor, w.slot, "pending").await,
        "appointments_live_time_slot_key",
    );
    sqlx::query("UPDATE appointments SET status = 'cancelled' WHERE id = $1")
        .bind(first)
        .execute(&db.pool)
        .await
        .expect("cancel");
    insert_appointment(&db.pool, w.other_patient, w.doctor, w.slot, "pending")
        .await
        .expect("the slot can be booked again once the first booking is cancelled");
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM appointments WHERE time_slot_id = $1")
            .bind(w.slot)
            .fetch_one(&db.pool)
            .await
            .expect("count");
    assert_eq!(count, 2, "the cancelled appointment is kept");
}

#[tokio::test]
async fn appointment_status_and_doctor_must_match_the_rules() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    assert_refused(
        insert_appointment(&db.pool, w.patient, w.doctor, w.slot, "no-show").await,
        "appointments_status_check",
    );
    assert_refused(
        insert_appointment(&db.pool, w.patient, w.other_doctor, w.slot, "pending").await,
        "appointments_slot_doctor_fkey",
    );
}

#[tokio::test]
async fn payments_are_positive_unique_and_one_per_appointment() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let appointment = insert_appointment(&db.pool, w.patient, w.doctor, w.slot, "confirmed")
        .await
        .expect("appointment");
    let second_slot = insert_slot(
        &db.pool,
        w.doctor,
        "2030-01-07",
        "10:00",
        "10:30",
        w.doctor_user,
    )
    .await
    .expect("slot");
    let other = insert_appointment(&db.pool, w.patient, w.doctor, second_slot, "confirmed")
        .await
        .expect("appointment");

    assert_refused(
        insert_payment(&db.pool, appointment, "0.00", "tx-zero").await,
        "payments_amount_check",
    );
    assert_refused(
        insert_payment(&db.pool, appointment, "-5.00", "tx-neg").await,
        "payments_amount_check",
    );
    insert_payment(&db.pool, appointment, "100.00", "tx-1")
        .await
        .expect("payment");
    assert_refused(
        insert_payment(&db.pool, other, "100.00", "tx-1").await,
        "payments_transaction_id_key",
    );
    assert_refused(
        insert_payment(&db.pool, appointment, "100.00", "tx-2").await,
        "payments_appointment_id_key",
    );

    let bad_status = sqlx::query(
        "UPDATE payments SET status = 'lost', paid_at = NULL WHERE transaction_id = 'tx-1'",
    )
    .execute(&db.pool)
    .await;
    assert_refused(bad_status, "payments_status_check");
    let completed_without_time = sqlx::query(
        "INSERT INTO payments (appointment_id, amount, status, transaction_id) VALUES ($1, 10, 'completed', 'tx-3')",
    )
    .bind(other)
    .execute(&db.pool)
    .await;
    assert_refused(completed_without_time, "payments_paid_at_check");
}

#[tokio::test]
async fn ledger_types_signs_and_balances_follow_the_rules() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let appointment = insert_appointment(&db.pool, w.patient, w.doctor, w.slot, "confirmed")
        .await
        .expect("appointment");
    // Payments and refunds name their appointment; deposits and withdrawals name none.
    let insert = |kind: &'static str, amount: &'static str, after: &'static str| {
        let linked = matches!(kind, "payment" | "refund").then_some(appointment);
        sqlx::query(
            "INSERT INTO wallet_transactions
                    (user_id, transaction_type, amount, description, balance_after, appointment_id)
             VALUES ($1, $2, $3, 'test', $4, $5)",
        )
        .bind(w.patient)
        .bind(kind)
        .bind(decimal(amount))
        .bind(decimal(after))
        .bind(linked)
        .execute(&db.pool)
    };
    insert("deposit", "50.00", "50.00")
        .await
        .expect("a deposit adds money");
    insert("payment", "-20.00", "30.00")
        .await
        .expect("a payment takes money");
    assert_refused(
        insert("gift", "-5.00", "25.00").await,
        "wallet_transactions_type_check",
    );
    assert_refused(
        insert("refund", "-5.00", "25.00").await,
        "wallet_transactions_amount_sign_check",
    );
    assert_refused(
        insert("withdrawal", "5.00", "35.00").await,
        "wallet_transactions_amount_sign_check",
    );
    assert_refused(
        insert("withdrawal", "-40.00", "-10.00").await,
        "wallet_transactions_balance_after_check",
    );
    // One charge and one refund per appointment, at most.
    assert_refused(
        insert("payment", "-20.00", "10.00").await,
        "wallet_transactions_one_payment_per_appointment",
    );
    insert("refund", "20.00", "50.00")
        .await
        .expect("a refund gives money back");
    assert_refused(
        insert("refund", "20.00", "70.00").await,
        "wallet_transactions_one_refund_per_appointment",
    );
    let linked_deposit = sqlx::query(
        "INSERT INTO wallet_transactions
                (user_id, transaction_type, amount, description, balance_after, appointment_id)
         VALUES ($1, 'deposit', 1, 'test', 51, $2)",
    )
    .bind(w.patient)
    .bind(appointment)
    .execute(&db.pool)
    .await;
    assert_refused(linked_deposit, "wallet_transactions_appointment_check");

    // The ledger is append-only.
    for statement in [
        "UPDATE wallet_transactions SET amount = 1000 WHERE transaction_type = 'deposit'",
        "DELETE FROM wallet_transactions",
        "TRUNCATE wallet_transactions CASCADE",
    ] {
        let error = sqlx::query(statement)
            .execute(&db.pool)
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
}

#[tokio::test]
async fn ratings_are_one_to_five_one_review_per_appointment_by_its_patient() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let appointment = insert_appointment(&db.pool, w.patient, w.doctor, w.slot, "completed")
        .await
        .expect("appointment");
    assert_refused(
        insert_review(&db.pool, appointment, w.patient, w.doctor, 6).await,
        "reviews_rating_check",
    );
    assert_refused(
        insert_review(&db.pool, appointment, w.patient, w.doctor, 0).await,
        "reviews_rating_check",
    );
    assert_refused(
        insert_review(&db.pool, appointment, w.other_patient, w.doctor, 5).await,
        "reviews_appointment_parties_fkey",
    );
    insert_review(&db.pool, appointment, w.patient, w.doctor, 5)
        .await
        .expect("review");
    assert_refused(
        insert_review(&db.pool, appointment, w.patient, w.doctor, 4).await,
        "reviews_appointment_id_key",
    );
}

#[tokio::test]
async fn one_time_codes_are_kept_only_as_hashes_and_expire_after_creation() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let insert = |code: &'static str, minutes: i32| {
        sqlx::query(
            "INSERT INTO otp_verifications (user_id, otp_code, expires_at)
             VALUES ($1, $2, now() + make_interval(mins => $3))",
        )
        .bind(w.patient)
        .bind(code)
        .bind(minutes)
        .execute(&db.pool)
    };
    insert("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", 10)
        .await
        .expect("a hashed code");
    // The code itself is refused: the table never holds a usable code.
    assert_refused(
        insert("123456", 10).await,
        "otp_verifications_otp_code_check",
    );
    assert_refused(
        insert("forgotten", 10).await,
        "otp_verifications_otp_code_check",
    );
    assert_refused(
        insert("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", -1).await,
        "otp_verifications_expiry_check",
    );
}

#[tokio::test]
async fn timestamps_default_to_now_and_updated_at_follows_every_update() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let (created, updated): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT created_at, updated_at FROM users WHERE id = $1")
            .bind(w.patient)
            .fetch_one(&db.pool)
            .await
            .expect("timestamps");
    let age = chrono::Utc::now() - created;
    assert!(age < chrono::Duration::minutes(1) && created == updated);

    // Back-date the row, then change something else: updated_at moves to now.
    sqlx::query("UPDATE users SET updated_at = now() - interval '1 day' WHERE id = $1")
        .bind(w.patient)
        .execute(&db.pool)
        .await
        .expect("update");
    sqlx::query("UPDATE users SET first_name = 'Ann' WHERE id = $1")
        .bind(w.patient)
        .execute(&db.pool)
        .await
        .expect("update");
    let fresh: bool = sqlx::query_scalar(
        "SELECT updated_at > now() - interval '1 minute' FROM users WHERE id = $1",
    )
    .bind(w.patient)
    .fetch_one(&db.pool)
    .await
    .expect("updated_at");
    assert!(fresh, "the trigger set updated_at on update");
}

#[tokio::test]
async fn deletes_follow_the_documented_rules() {
    let db = TestDb::new().await;
    let w = world(&db.pool).await;
    let appointment = insert_appointment(&db.pool, w.patient, w.doctor, w.slot, "confirmed")
        .await
        .expect("appointment");
    sqlx::query(
        "INSERT INTO wallet_transactions (user_id, transaction_type, amount, description, balance_after, appointment_id)
         VALUES ($1, 'refund', 10, 'test', 10, $2)",
    )
    .bind(w.patient)
    .bind(appointment)
    .execute(&db.pool)
    .await
    .expect("ledger row");
    insert_payment(&db.pool, appointment, "100.00", "tx-del")
        .await
        .expect("payment");

    // WalletTransaction.appointment is SET_NULL; Payment.appointment is CASCADE.
    sqlx::query("DELETE FROM appointments WHERE id = $1")
        .bind(appointment)
        .execute(&db.pool)
        .await
        .expect("delete");
    let (ledger_rows, linked, payments): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM wallet_transactions),
                (SELECT count(appointment_id) FROM wallet_transactions),
                (SELECT count(*) FROM payments)",
    )
    .fetch_one(&db.pool)
    .await
    .expect("counts");
    assert_eq!((ledger_rows, linked, payments), (1, 0, 0));
}

#[tokio::test]
async fn every_documented_index_exists() {
    let db = TestDb::new().await;
    // (table, indexed columns as PostgreSQL prints them) for each index the design document lists.
    let expected = [
        ("users", "lower((email)::text)"),
        ("users", "username"),
        ("users", "user_type"),
        ("specialties", "lower((name)::text)"),
        ("doctors", "license_number"),
        ("doctors", "specialty_id"),
        ("doctors", "is_active"),
        ("doctors", "average_rating"),
        ("time_slots", "doctor_id, date, start_time"),
        ("time_slots", "is_available"),
        ("time_slots", "date"),
        ("appointments", "patient_id"),
        ("appointments", "doctor_id"),
        ("appointments", "status"),
        ("appointments", "created_at"),
        ("appointments", "patient_id, status"),
        ("appointments", "time_slot_id"),
        ("payments", "transaction_id"),
        ("payments", "status"),
        ("payments", "paid_at"),
        ("payments", "appointment_id"),
        ("wallet_transactions", "user_id, created_at"),
        ("wallet_transactions", "transaction_type"),
        ("wallet_transactions", "created_at"),
        ("reviews", "doctor_id, rating"),
        ("reviews", "rating"),
        ("reviews", "created_at"),
        ("reviews", "appointment_id"),
    ];
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.relname::text,
                substring(pg_get_indexdef(i.indexrelid) FROM '\\((.*)\\)')
           FROM pg_index i
           JOIN pg_class t ON t.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE n.nspname = 'public'",
    )
    .fetch_all(&db.pool)
    .await
    .expect("indexes");
    for (table, columns) in expected {
        assert!(
            indexes
                .iter()
                .any(|(t, c)| t == table && (c == columns || c.starts_with(&format!("{columns})")))),
            "missing index on {table} ({columns}); have: {indexes:?}"
        );
    }
}

/// The database and the app write a doctor's name the same way: lists built in SQL and pages
/// built in Rust never show one doctor under two names.
#[tokio::test]
async fn the_database_writes_a_doctors_name_as_the_app_does() {
    let db = TestDb::new().await;
    for (first, last) in [
        ("Ada", "Lovelace"),
        ("Jo", "Smith, Jr."),
        ("Zoë", "O'Brien"),
    ] {
        let written: String = sqlx::query_scalar("SELECT doctor_display_name($1, $2)")
            .bind(first)
            .bind(last)
            .fetch_one(&*db)
            .await
            .expect("the function exists");
        assert_eq!(written, app::domain::format::doctor_name(first, last));
    }
}
