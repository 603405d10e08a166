//! The role homes' figures against known data, at a fixed instant in summer (London is UTC+1), so
//! a booking made at 23:30 UTC counts for the next clinic day.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use app::domain::UserRole;
use app::services::dashboards;

use crate::harness::{TestDb, account, at, config, date, decimal};

struct Data<'a> {
    db: &'a TestDb,
    admin: i64,
}

impl Data<'_> {
    async fn doctor(&self, username: &str, specialty: &str) -> i64 {
        let user = account(self.db, username, UserRole::Doctor).await;
        sqlx::query_scalar(
            "WITH s AS (INSERT INTO specialties (name) VALUES ($2)
                        ON CONFLICT ((lower(name))) DO UPDATE SET name = EXCLUDED.name RETURNING id)
             INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio,
                                  consultation_fee, created_by)
             SELECT $1, s.id, 'LIC-' || $1, 3, '', 50, $3 FROM s RETURNING id",
        )
        .bind(user)
        .bind(specialty)
        .bind(self.admin)
        .fetch_one(&self.db.pool)
        .await
        .expect("doctor")
    }

    async fn slot(&self, doctor: i64, date: &str, start: &str, free: bool) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
             VALUES ($1, $2::date, $3::time, $3::time + interval '30 minutes', $4, $5) RETURNING id",
        )
        .bind(doctor)
        .bind(date)
        .bind(start)
        .bind(free)
        .bind(self.admin)
        .fetch_one(&self.db.pool)
        .await
        .expect("slot")
    }

    /// An appointment booked at `booked` for a slot on `date` at `start`; `payment` is the
    /// payment's status, if any.
    #[allow(clippy::too_many_arguments)]
    async fn appointment(
        &self,
        patient: i64,
        doctor: i64,
        (date, start): (&str, &str),
        status: &str,
        fee: &str,
        booked: &str,
        payment: Option<(&str, &str)>,
    ) -> i64 {
        let slot = self.slot(doctor, date, start, false).await;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee,
                                       created_at, hold_expires_at, cancelled_at)
             VALUES ($1, $2, $3, $4, $5::numeric, $6::timestamptz,
                     CASE WHEN $4 = 'pending' THEN $6::timestamptz + interval '15 minutes' END,
                     CASE WHEN $4 = 'cancelled' THEN $6::timestamptz + interval '1 day' END)
             RETURNING id",
        )
        .bind(patient)
        .bind(doctor)
        .bind(slot)
        .bind(status)
        .bind(fee)
        .bind(booked)
        .fetch_one(&self.db.pool)
        .await
        .expect("appointment");
        if let Some((payment_status, paid_at)) = payment {
            sqlx::query(
                "INSERT INTO payments (appointment_id, amount, status, transaction_id, paid_at)
                 VALUES ($1, $2::numeric, $3, 'TX-' || $1, $4::timestamptz)",
            )
            .bind(id)
            .bind(fee)
            .bind(payment_status)
            .bind(paid_at)
            .execute(&self.db.pool)
            .await
            .expect("payment");
        }
        id
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_home_counts_what_it_says_in_the_clinic_time_zone() {
    let db = TestDb::new().await;
    let settings = config().clinic_settings();
    let admin = account(&db, "boss", UserRole::Admin).await;
    let data = Data { db: &db, admin };
    let hart = data.doctor("hart", "Cardiology").await;
    let skin = data.doctor("skin", "Dermatology").await;
    // Not in the directory: a deactivated profile, and a deactivated account.
    let gone = data.doctor("gone", "Cardiology").await;
    let locked = data.doctor("locked", "Cardiology").await;
    sqlx::query("UPDATE doctors SET is_active = FALSE WHERE id = $1")
        .bind(gone)
        .execute(&db.pool)
        .await
        .expect("deactivate");
    sqlx::query("UPDATE users SET is_active = FALSE WHERE username = 'locked'")
        .execute(&db.pool)
        .await
        .expect("deactivate");
    let _ = locked;
    let ann = account(&db, "ann", UserRole::Patient).await;
    let ben = account(&db, "ben", UserRole::Patient).await;
    sqlx::query("UPDATE users SET created_at = $2, wallet_balance = 42.50 WHERE id = $1")
        .bind(ann)
        .bind(at("2030-07-01T10:00:00Z"))
        .execute(&db.pool)
        .await
        .expect("ann joined");
    sqlx::query("UPDATE users SET created_at = $2 WHERE id = $1")
        .bind(ben)
        .bind(at("2030-05-01T10:00:00Z"))
        .execute(&db.pool)
        .await
        .expect("ben joined");

    // Wednesday 10 July 2030, 13:00 in London.
    let now = at("2030-07-10T12:00:00Z");
    let today_9 = data
        .appointment(
            ann,
            hart,
            ("2030-07-10", "09:00"),
            "confirmed",
            "60",
            "2030-07-10T08:00:00Z",
            Some(("completed", "2030-07-10T08:00:00Z")),
        )
        .await;
    // 00:30 on Wednesday in London, still Tuesday in UTC.
    let pending = data
        .appointment(
            ann,
            skin,
            ("2030-07-12", "10:00"),
            "pending",
            "70",
            "2030-07-09T23:30:00Z",
            None,
        )
        .await;
    let done = data
        .appointment(
            ann,
            hart,
            ("2030-07-08", "11:00"),
            "completed",
            "100",
            "2030-07-08T09:00:00Z",
            Some(("completed", "2030-07-08T09:00:00Z")),
        )
        .await;
    // 00:30 on Monday in London: this week.
    let cancelled = data
        .appointment(
            ann,
            hart,
            ("2030-07-15", "09:00"),
            "cancelled",
            "80",
            "2030-07-07T23:30:00Z",
            Some(("refunded", "2030-07-07T23:30:00Z")),
        )
        .await;
    // 23:00 on Sunday in London: last week.
    data.appointment(
        ben,
        skin,
        ("2030-07-11", "09:00"),
        "confirmed",
        "50",
        "2030-07-07T22:00:00Z",
        Some(("completed", "2030-07-07T22:00:00Z")),
    )
    .await;
    // Long ago: outside every 30-day figure, but revenue all the same.
    data.appointment(
        ben,
        hart,
        ("2030-05-02", "09:00"),
        "completed",
        "200",
        "2030-05-01T09:00:00Z",
        Some(("completed", "2030-05-01T09:00:00Z")),
    )
    .await;
    let later_today = data
        .appointment(
            ben,
            hart,
            ("2030-07-10", "15:00"),
            "confirmed",
            "60",
            "2030-06-01T09:00:00Z",
            None,
        )
        .await;
    sqlx::query(
        "INSERT INTO wallet_transactions (user_id, transaction_type, amount, description,
                                          balance_after, appointment_id, created_at)
         VALUES ($1, 'refund', 80, 'Refund', 80, $2, '2030-07-08T10:00:00Z')",
    )
    .bind(ann)
    .bind(cancelled)
    .execute(&db.pool)
    .await
    .expect("refund");
    sqlx::query("INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating) VALUES ($1, $2, $3, 5)")
        .bind(data.appointment(ben, hart, ("2030-07-01", "09:00"), "completed", "0", "2030-01-01T09:00:00Z", None).await)
        .bind(ben)
        .bind(hart)
        .execute(&db.pool)
        .await
        .expect("review");
    data.slot(hart, "2030-07-11", "08:00", true).await;
    data.slot(hart, "2030-07-10", "10:00", true).await; // already past
    data.slot(hart, "2030-07-30", "10:00", true).await; // beyond the week

    let board = dashboards::admin(&db.pool, &settings, now)
        .await
        .expect("admin");
    assert_eq!(board.today, date("2030-07-10"));
    assert_eq!((board.bookings_today, board.bookings_week), (2, 4));
    assert_eq!(board.revenue_total, decimal("410"));
    assert_eq!(board.revenue_30_days, decimal("210"));
    assert_eq!(board.cancellations_30_days, 1);
    assert_eq!(
        (board.refunds_30_days, board.refunded_30_days),
        (1, decimal("80"))
    );
    assert_eq!(board.active_doctors, 2);
    assert_eq!(board.new_patients_30_days, 1);
    assert_eq!(board.bookings_per_day.len(), 30);
    assert_eq!(board.bookings_per_day[0].day, date("2030-06-11"));
    let on = |text: &str| {
        board
            .bookings_per_day
            .iter()
            .find(|d| d.day == date(text))
            .map(|d| d.count)
    };
    assert_eq!(
        (
            on("2030-07-10"),
            on("2030-07-09"),
            on("2030-07-08"),
            on("2030-07-07")
        ),
        (Some(2), Some(0), Some(2), Some(1))
    );
    let by_specialty: Vec<(&str, Decimal)> = board
        .revenue_by_specialty
        .iter()
        .map(|row| (row.specialty.as_str(), row.revenue))
        .collect();
    assert_eq!(
        by_specialty,
        [
            ("Cardiology", decimal("360")),
            ("Dermatology", decimal("50"))
        ]
    );
    let outcomes = &board.outcomes_30_days;
    assert_eq!(
        (
            outcomes.pending,
            outcomes.confirmed,
            outcomes.completed,
            outcomes.cancelled
        ),
        (1, 2, 1, 1)
    );
    assert_eq!(outcomes.cancellation_percent(), 20);

    let hart_user: i64 = sqlx::query_scalar("SELECT user_id FROM doctors WHERE id = $1")
        .bind(hart)
        .fetch_one(&db.pool)
        .await
        .expect("user");
    let home = dashboards::doctor(&db.pool, &settings, hart_user, now)
        .await
        .expect("doctor");
    let ids = |items: &[app::domain::dashboard::AgendaItem]| {
        items.iter().map(|i| i.appointment_id).collect::<Vec<_>>()
    };
    assert_eq!(ids(&home.today_agenda), [today_9, later_today]);
    assert_eq!(
        ids(&home.to_complete),
        [today_9],
        "started, still confirmed"
    );
    assert!(
        home.week_agenda.is_empty(),
        "the cancelled one does not count"
    );
    assert_eq!(home.free_slots_ahead, 1);
    let earnings: Vec<(NaiveDate, i64, Decimal)> = home
        .earnings
        .iter()
        .map(|m| (m.month, m.appointments, m.fees))
        .collect();
    assert_eq!(
        earnings,
        [
            (date("2030-02-01"), 0, decimal("0")),
            (date("2030-03-01"), 0, decimal("0")),
            (date("2030-04-01"), 0, decimal("0")),
            (date("2030-05-01"), 1, decimal("200")),
            (date("2030-06-01"), 0, decimal("0")),
            (date("2030-07-01"), 2, decimal("100")),
        ]
    );
    assert_eq!(home.rating.counts, [0, 0, 0, 0, 1]);
    assert_eq!(home.today_agenda[0].with_name, "Ann Lee");

    let mine = dashboards::patient(&db.pool, &settings, ann, now)
        .await
        .expect("patient");
    assert_eq!(mine.wallet_balance, decimal("42.50"));
    assert_eq!(ids(&mine.upcoming), [pending], "not started, not cancelled");
    assert_eq!(ids(&mine.to_review), [done]);
    assert_eq!(mine.to_review[0].specialty, "Cardiology");
}
