//! The generated data set (`seed-demo --scale`): loaded at a small scale into a fresh database,
//! it must keep every invariant the app relies on, and it loads only into an empty database.

use chrono::{NaiveDateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;

use server::tools::scale::{self, ScalePlan, SeedOutcome, SeedReport};

use crate::harness::{TestDb, count};

/// 20 doctors with 100 slots each: small enough to load in a moment.
const PLAN: ScalePlan = ScalePlan {
    doctors: 20,
    patients: 40,
    slots: 2_000,
    appointments: 400,
    reviews: 200,
};

async fn seed(pool: &PgPool) -> SeedOutcome {
    scale::seed(
        pool,
        &PLAN,
        Utc::now(),
        chrono_tz::Europe::Berlin,
        &mut |_: String| {},
    )
    .await
    .expect("seed")
}

async fn seeded(pool: &PgPool) -> SeedReport {
    match seed(pool).await {
        SeedOutcome::Seeded(report) => report,
        SeedOutcome::NotEmpty { .. } => panic!("a fresh database counted as not empty"),
    }
}

/// Rows a query returns that it should not, for the assertion message.
async fn offenders(pool: &PgPool, sql: &str) -> Vec<i64> {
    sqlx::query_scalar(sql)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|err| panic!("{err}: {sql}"))
}

/// Every foreign key, as the schema defines it; the load drops them and adds them back.
async fn foreign_keys(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END
           FROM pg_constraint WHERE contype = 'f' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("foreign keys")
}

#[tokio::test]
async fn a_generated_data_set_keeps_every_invariant() {
    let db = TestDb::new().await;
    let pool = &db.pool;
    let keys_before = foreign_keys(pool).await;
    let report = seeded(pool).await;
    assert_eq!(foreign_keys(pool).await, keys_before);

    // The plan's numbers, exactly.
    assert_eq!(count(pool, "SELECT count(*) FROM specialties").await, 50);
    assert_eq!(
        count(pool, "SELECT count(*) FROM doctors").await,
        PLAN.doctors as i64
    );
    assert_eq!(
        count(
            pool,
            "SELECT count(*) FROM users WHERE user_type = 'patient'"
        )
        .await,
        PLAN.patients as i64
    );
    assert_eq!(
        count(pool, "SELECT count(*) FROM time_slots").await,
        PLAN.slots as i64
    );
    assert_eq!(
        count(pool, "SELECT count(*) FROM appointments").await,
        PLAN.appointments as i64
    );
    assert_eq!(
        count(pool, "SELECT count(*) FROM reviews").await,
        PLAN.reviews as i64
    );
    assert_eq!(report.slots, PLAN.slots);
    assert!(report.completed > 0 && report.confirmed > 0 && report.cancelled > 0);
    assert_eq!(
        count(
            pool,
            "SELECT count(*) FROM users WHERE email_verified_at IS NULL"
        )
        .await,
        0
    );

    // Every wallet balance is the sum of its ledger, and the last entry's balance_after; each
    // entry's balance_after is the running sum up to it.
    let wrong_balances = offenders(
        pool,
        "SELECT u.id FROM users u
           LEFT JOIN LATERAL (SELECT coalesce(sum(w.amount), 0) AS total
                                FROM wallet_transactions w WHERE w.user_id = u.id) s ON true
           LEFT JOIN LATERAL (SELECT w.balance_after FROM wallet_transactions w
                               WHERE w.user_id = u.id
                               ORDER BY w.created_at DESC, w.id DESC LIMIT 1) l ON true
          WHERE u.wallet_balance <> s.total
             OR u.wallet_balance <> coalesce(l.balance_after, 0)",
    )
    .await;
    assert!(wrong_balances.is_empty(), "users {wrong_balances:?}");
    let wrong_running = offenders(
        pool,
        "SELECT id FROM (
             SELECT id, balance_after,
                    sum(amount) OVER (PARTITION BY user_id ORDER BY created_at, id) AS running
               FROM wallet_transactions) w
          WHERE balance_after <> running",
    )
    .await;
    assert!(wrong_running.is_empty(), "ledger rows {wrong_running:?}");
    assert!(
        count(pool, "SELECT count(*) FROM wallet_transactions").await
            >= (PLAN.patients + PLAN.appointments) as i64
    );

    // One live appointment per slot, and its slot is taken.
    let double_booked = offenders(
        pool,
        "SELECT time_slot_id FROM appointments WHERE status <> 'cancelled'
          GROUP BY time_slot_id HAVING count(*) > 1",
    )
    .await;
    assert!(double_booked.is_empty(), "slots {double_booked:?}");
    let free_but_booked = offenders(
        pool,
        "SELECT a.id FROM appointments a JOIN time_slots t ON t.id = a.time_slot_id
          WHERE a.status <> 'cancelled' AND t.is_available",
    )
    .await;
    assert!(
        free_but_booked.is_empty(),
        "appointments {free_but_booked:?}"
    );

    // Each paid appointment has exactly one completed payment of its fee, paid by a ledger row.
    let unpaid = offenders(
        pool,
        "SELECT a.id FROM appointments a
          WHERE a.status IN ('confirmed', 'completed')
            AND (SELECT count(*) FROM payments p
                  WHERE p.appointment_id = a.id AND p.status = 'completed'
                    AND p.amount = a.consultation_fee AND p.paid_at IS NOT NULL) <> 1",
    )
    .await;
    assert!(unpaid.is_empty(), "appointments {unpaid:?}");
    let unledgered = offenders(
        pool,
        "SELECT a.id FROM appointments a
          WHERE NOT EXISTS (SELECT 1 FROM wallet_transactions w
                             WHERE w.appointment_id = a.id AND w.user_id = a.patient_id
                               AND w.transaction_type = 'payment'
                               AND w.amount = -a.consultation_fee)",
    )
    .await;
    assert!(unledgered.is_empty(), "appointments {unledgered:?}");

    // Statuses follow the clock the data set was generated around.
    let now: NaiveDateTime = report.now_local;
    let out_of_time: Vec<i64> = sqlx::query_scalar(
        "SELECT a.id FROM appointments a JOIN time_slots t ON t.id = a.time_slot_id
          WHERE (a.status = 'completed' AND t.date + t.end_time > $1)
             OR (a.status = 'confirmed' AND t.date + t.start_time <= $1)",
    )
    .bind(now)
    .fetch_all(pool)
    .await
    .expect("statuses");
    assert!(out_of_time.is_empty(), "appointments {out_of_time:?}");

    // Reviews are of completed appointments; ratings and counts are exactly their aggregates.
    let reviewed_early = offenders(
        pool,
        "SELECT r.id FROM reviews r JOIN appointments a ON a.id = r.appointment_id
          WHERE a.status <> 'completed'",
    )
    .await;
    assert!(reviewed_early.is_empty(), "reviews {reviewed_early:?}");
    let wrong_ratings = offenders(
        pool,
        "SELECT d.id FROM doctors d
           LEFT JOIN (SELECT doctor_id, round(avg(rating), 2) AS average, count(*) AS total
                        FROM reviews GROUP BY doctor_id) r ON r.doctor_id = d.id
          WHERE d.average_rating <> coalesce(r.average, 0)
             OR d.total_reviews <> coalesce(r.total, 0)",
    )
    .await;
    assert!(wrong_ratings.is_empty(), "doctors {wrong_ratings:?}");
    let best: Decimal = sqlx::query_scalar("SELECT max(average_rating) FROM doctors")
        .fetch_one(pool)
        .await
        .expect("ratings");
    assert!(best > Decimal::ZERO);

    // Each doctor's next free slot is the earliest free slot after the generation clock.
    let wrong_next_free: Vec<i64> = sqlx::query_scalar(
        "SELECT d.id FROM doctors d
          WHERE d.next_free_slot_at IS DISTINCT FROM (
                SELECT min(t.date + t.start_time) FROM time_slots t
                 WHERE t.doctor_id = d.id AND t.is_available AND t.date + t.start_time > $1)",
    )
    .bind(now)
    .fetch_all(pool)
    .await
    .expect("next free slots");
    assert!(wrong_next_free.is_empty(), "doctors {wrong_next_free:?}");
    assert!(
        count(
            pool,
            "SELECT count(*) FROM doctors WHERE next_free_slot_at IS NOT NULL"
        )
        .await
            > 0
    );

    // The bulk load turned the slot trigger off; it must be on again.
    let trigger_enabled: String = sqlx::query_scalar(
        "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'time_slots_next_free'",
    )
    .fetch_one(pool)
    .await
    .expect("trigger");
    assert_eq!(trigger_enabled, "O");

    // Everyone signs in with the demo password.
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = $1")
        .bind(&report.sample_patient)
        .fetch_one(pool)
        .await
        .expect("patient");
    assert!(
        app::services::passwords::verify(server::tools::demo::DEMO_PASSWORD.to_owned(), hash)
            .await
            .expect("verify")
    );
}

#[tokio::test]
async fn a_database_with_data_is_left_alone() {
    let db = TestDb::new().await;
    seeded(&db.pool).await;
    match seed(&db.pool).await {
        SeedOutcome::NotEmpty { users, doctors } => {
            assert_eq!(users, (1 + PLAN.doctors + PLAN.patients) as i64);
            assert_eq!(doctors, PLAN.doctors as i64);
        }
        SeedOutcome::Seeded(_) => panic!("seeded a database that had data"),
    }
}
