//! Booking, payments and the wallet against the real database: the policy's rules one by one,
//! then storms of concurrent requests through two server instances, each followed by the
//! invariant checker.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use app::domain::booking::{BookingOutcome, RefundRule};
use app::domain::request_key::RequestKey;
use app::domain::wallet::Card;
use app::domain::{AppError, Money, UserRole};
use app::services::booking::{self, Actor};
use app::services::gateway::{SandboxGateway, test_cards};
use app::services::{ClinicSettings, wallet};
use server::http;

use crate::harness::{
    SmtpSink, TestApp, TestDb, World, assert_invariants, config, confirmed, key, money, settings,
};

fn patient_actor(user_id: i64) -> Actor {
    Actor {
        user_id,
        role: UserRole::Patient,
    }
}

#[tokio::test]
async fn booking_with_money_confirms_pays_once_and_emails_a_calendar_event() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "100.00").await;
    let slot = w.slot(3, 10).await;
    let other_slot = w.slot(3, 11).await;
    let now = Utc::now();

    let request = key();
    let first = booking::book(
        &db.pool,
        &settings(),
        ann,
        slot,
        "Chest pain",
        &request,
        now,
    )
    .await;
    let appointment = confirmed(first.clone());
    assert_eq!(w.balance(ann).await, money("20.00"));
    assert_eq!(
        w.status(appointment).await,
        ("confirmed".into(), Some("completed".into()))
    );
    assert!(!w.slot_free(slot).await);

    // A double click or a replay: the same answer, no second charge.
    let again = booking::book(
        &db.pool,
        &settings(),
        ann,
        slot,
        "Chest pain",
        &request,
        now,
    )
    .await;
    assert_eq!(again, first);
    assert_eq!(w.ledger_rows(ann, "payment").await, 1);
    assert_eq!(w.balance(ann).await, money("20.00"));
    // The same key for another request is refused, and books nothing.
    let reused = booking::book(&db.pool, &settings(), ann, other_slot, "", &request, now).await;
    assert!(
        matches!(reused, Err(AppError::Conflict(ref m)) if m.contains("another request")),
        "{reused:?}"
    );
    assert!(w.slot_free(other_slot).await);

    // The confirmation goes out with its calendar event, and is recorded as sent.
    let sink = SmtpSink::start(false).await;
    let mailer = server::mailer::Mailer::new(
        Some(&sink.url()),
        "unused".into(),
        "Clinic <no-reply@clinic.example>",
    )
    .expect("mailer");
    server::mailer::deliver_due(&db.pool, &mailer)
        .await
        .expect("deliver");
    let mail = sink.received();
    let confirmation = mail
        .iter()
        .find(|m| m.subject().is_some_and(|s| s.starts_with("Confirmed:")))
        .expect("a confirmation email");
    assert_eq!(confirmation.to, vec!["ann@example.com".to_owned()]);
    assert!(
        confirmation.data.contains("BEGIN:VCALENDAR"),
        "{}",
        confirmation.data
    );
    assert!(confirmation.data.contains("appointment.ics"));
    let sent: bool = sqlx::query_scalar("SELECT confirmation_sent FROM appointments WHERE id = $1")
        .bind(appointment)
        .fetch_one(&db.pool)
        .await
        .expect("flag");
    assert!(
        sent,
        "confirmation_sent is set once the email was delivered"
    );
    assert_invariants(&db).await;
}

#[tokio::test]
async fn bookings_need_a_free_future_slot_of_an_active_doctor_past_the_notice() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "500.00").await;
    let soon = w.slot(3, 10).await;
    let now = w.starts_at(soon).await - TimeDelta::minutes(90);
    let too_soon = w.book(ann, soon, now).await;
    assert!(
        matches!(too_soon, Err(AppError::Conflict(ref m)) if m.contains("too soon")),
        "{too_soon:?}"
    );
    let past = w
        .book(ann, soon, w.starts_at(soon).await + TimeDelta::minutes(1))
        .await;
    assert!(
        matches!(past, Err(AppError::Conflict(ref m)) if m.contains("passed")),
        "{past:?}"
    );
    let missing = w.book(ann, 999_999, Utc::now()).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
    sqlx::query("UPDATE doctors SET is_active = FALSE WHERE id = $1")
        .bind(w.doctor)
        .execute(&db.pool)
        .await
        .expect("deactivate");
    let inactive = w.book(ann, soon, Utc::now()).await;
    assert!(
        matches!(inactive, Err(AppError::Conflict(ref m)) if m.contains("not taking bookings")),
        "{inactive:?}"
    );
    assert_eq!(w.balance(ann).await, money("500.00"), "nothing was charged");
    assert!(w.slot_free(soon).await);
    assert_invariants(&db).await;
}

#[tokio::test]
async fn too_little_money_holds_the_slot_until_paid_or_the_hold_ends() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "30.00").await;
    let bob = w.patient("bob", "500.00").await;
    let slot = w.slot(4, 9).await;
    let later = w.slot(4, 12).await;
    let now = Utc::now();

    let held = w.book(ann, slot, now).await.expect("book");
    let BookingOutcome::AwaitingPayment {
        appointment_id,
        hold_expires_at,
        shortfall,
    } = held
    else {
        panic!("expected a hold, got {held:?}");
    };
    assert_eq!(shortfall, money("50.00"));
    assert_eq!(hold_expires_at, now + TimeDelta::minutes(15));
    assert_eq!(
        w.status(appointment_id).await,
        ("pending".into(), Some("pending".into()))
    );
    assert_eq!(
        w.balance(ann).await,
        money("30.00"),
        "nothing is taken for a hold"
    );

    // The held slot is taken for everyone else, who is offered the nearest free times.
    match w.book(bob, slot, now).await.expect("book") {
        BookingOutcome::SlotTaken { alternatives } => {
            assert_eq!(
                alternatives.iter().map(|a| a.slot_id).collect::<Vec<_>>(),
                vec![later]
            );
        }
        other => panic!("expected 'just taken', got {other:?}"),
    }

    let short = booking::pay(&db.pool, &settings(), ann, appointment_id, &key(), now).await;
    assert!(
        matches!(short, Err(AppError::Conflict(ref m)) if m.contains("Top up at least $50.00")),
        "{short:?}"
    );
    w.deposit(ann, "50.00").await;
    let paid = booking::pay(
        &db.pool,
        &settings(),
        ann,
        appointment_id,
        &key(),
        now + TimeDelta::minutes(5),
    )
    .await;
    assert_eq!(paid, Ok(appointment_id));
    assert_eq!(
        w.status(appointment_id).await,
        ("confirmed".into(), Some("completed".into()))
    );
    assert_eq!(w.balance(ann).await, Money::ZERO);

    // A hold nobody pays ends by itself, and the slot is free again.
    let carl = w.patient("carl", "0").await;
    let BookingOutcome::AwaitingPayment {
        appointment_id: unpaid,
        ..
    } = w.book(carl, later, now).await.expect("book")
    else {
        panic!("expected a hold");
    };
    assert_eq!(
        booking::expire_holds(&db.pool, now + TimeDelta::minutes(14))
            .await
            .expect("expire"),
        0
    );
    assert_eq!(
        booking::expire_holds(&db.pool, now + TimeDelta::minutes(16))
            .await
            .expect("expire"),
        1
    );
    assert_eq!(
        w.status(unpaid).await,
        ("cancelled".into(), Some("failed".into()))
    );
    assert!(w.slot_free(later).await);
    w.deposit(carl, "100.00").await;
    let too_late = booking::pay(
        &db.pool,
        &settings(),
        carl,
        unpaid,
        &key(),
        now + TimeDelta::minutes(17),
    )
    .await;
    assert!(
        matches!(too_late, Err(AppError::Conflict(_))),
        "{too_late:?}"
    );
    confirmed(w.book(bob, later, now + TimeDelta::minutes(17)).await);
    assert_invariants(&db).await;
}

#[tokio::test]
async fn cancellation_refunds_by_the_policy_and_only_once() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "300.00").await;
    let bob = w.patient("bob", "300.00").await;
    let early_slot = w.slot(5, 9).await;
    let late_slot = w.slot(5, 10).await;
    let clinic_slot = w.slot(5, 11).await;
    let now = Utc::now();
    let early = confirmed(w.book(ann, early_slot, now).await);
    let late = confirmed(w.book(ann, late_slot, now).await);
    let by_clinic = confirmed(w.book(ann, clinic_slot, now).await);
    assert_eq!(w.balance(ann).await, money("60.00"));
    let cancel = |actor: Actor, id: i64, expected: Option<&str>, at: DateTime<Utc>| {
        let db = &db;
        let expected = expected.map(money);
        async move {
            booking::cancel(
                &db.pool,
                &settings(),
                actor,
                booking::Cancellation {
                    appointment_id: id,
                    expected_refund: expected,
                    reason: "",
                },
                &key(),
                at,
            )
            .await
        }
    };

    // Early: the whole fee back, and the slot can be booked by someone else.
    let refund = cancel(patient_actor(ann), early, Some("80.00"), now)
        .await
        .expect("cancel");
    assert_eq!(
        (refund.amount, refund.rule),
        (money("80.00"), RefundRule::Full)
    );
    assert_eq!(
        w.status(early).await,
        ("cancelled".into(), Some("refunded".into()))
    );
    assert_eq!(w.balance(ann).await, money("140.00"));
    confirmed(w.book(bob, early_slot, now).await);
    let twice = cancel(patient_actor(ann), early, Some("80.00"), now).await;
    assert!(
        matches!(twice, Err(AppError::Conflict(ref m)) if m.contains("already cancelled")),
        "{twice:?}"
    );

    // Late: the patient is told the exact amount first, then gets half.
    let two_hours_before = w.starts_at(late_slot).await - TimeDelta::hours(2);
    let unconfirmed = cancel(patient_actor(ann), late, Some("80.00"), two_hours_before).await;
    assert!(
        matches!(unconfirmed, Err(AppError::Conflict(ref m)) if m.contains("refunds $40.00")),
        "{unconfirmed:?}"
    );
    assert_eq!(w.status(late).await.0, "confirmed", "nothing changed");
    let refund = cancel(patient_actor(ann), late, Some("40.00"), two_hours_before)
        .await
        .expect("cancel");
    assert_eq!(
        (refund.amount, refund.rule),
        (money("40.00"), RefundRule::Late { percent: 50 })
    );
    assert_eq!(w.balance(ann).await, money("180.00"));

    // By the doctor: always the whole fee, and the patient is emailed.
    let doctor = Actor {
        user_id: w.doctor_user,
        role: UserRole::Doctor,
    };
    let refund = cancel(
        doctor,
        by_clinic,
        None,
        w.starts_at(clinic_slot).await - TimeDelta::hours(1),
    )
    .await
    .expect("cancel");
    assert_eq!(refund.amount, money("80.00"));
    assert_eq!(w.balance(ann).await, money("260.00"));
    let emailed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM email_outbox WHERE to_address = 'ann@example.com' AND subject LIKE 'Cancelled:%'
            AND text_body LIKE '%The clinic has cancelled%' AND text_body LIKE '%$80.00 has been refunded%'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("count");
    assert_eq!(emailed, 1);
    // Another patient's appointment is not theirs to cancel (and not even visible).
    let stranger = cancel(patient_actor(bob), late, Some("0"), now).await;
    assert!(
        matches!(stranger, Err(AppError::NotFound(_))),
        "{stranger:?}"
    );
    assert_invariants(&db).await;
}

#[tokio::test]
async fn rescheduling_moves_the_booking_and_settles_the_fee_difference() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "100.00").await;
    let first = w.slot(6, 9).await;
    let second = w.slot(7, 9).await;
    let now = Utc::now();
    let old = confirmed(w.book(ann, first, now).await);
    sqlx::query("UPDATE doctors SET consultation_fee = 95 WHERE id = $1")
        .bind(w.doctor)
        .execute(&db.pool)
        .await
        .expect("new fee");

    let moved = booking::reschedule(&db.pool, &settings(), ann, old, second, &key(), now).await;
    let new = confirmed(moved);
    assert_eq!(w.balance(ann).await, money("5.00"), "100 - 80 + 80 - 95");
    assert_eq!(
        w.status(old).await,
        ("cancelled".into(), Some("refunded".into()))
    );
    assert_eq!(
        w.status(new).await,
        ("confirmed".into(), Some("completed".into()))
    );
    assert!(w.slot_free(first).await && !w.slot_free(second).await);
    let pointer: Option<i64> =
        sqlx::query_scalar("SELECT rescheduled_to FROM appointments WHERE id = $1")
            .bind(old)
            .fetch_one(&db.pool)
            .await
            .expect("pointer");
    assert_eq!(pointer, Some(new));

    // Within the free-cancellation period a booking can no longer move.
    let close = w.starts_at(second).await - TimeDelta::hours(3);
    let refused = booking::reschedule(&db.pool, &settings(), ann, new, first, &key(), close).await;
    assert!(
        matches!(refused, Err(AppError::Conflict(ref m)) if m.contains("24 hours")),
        "{refused:?}"
    );
    assert_invariants(&db).await;
}

#[tokio::test]
async fn only_its_doctor_or_an_admin_completes_an_appointment_once_it_has_started() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "100.00").await;
    let slot = w.slot(2, 10).await;
    let appointment = confirmed(w.book(ann, slot, Utc::now()).await);
    let doctor = Actor {
        user_id: w.doctor_user,
        role: UserRole::Doctor,
    };
    let start = w.starts_at(slot).await;
    let early = booking::complete(
        &db.pool,
        &settings(),
        doctor,
        appointment,
        start - TimeDelta::minutes(5),
    )
    .await;
    assert!(
        matches!(early, Err(AppError::Conflict(ref m)) if m.contains("once it has started")),
        "{early:?}"
    );
    let patient = booking::complete(
        &db.pool,
        &settings(),
        patient_actor(ann),
        appointment,
        start,
    )
    .await;
    assert_eq!(patient, Err(AppError::Forbidden));
    booking::complete(
        &db.pool,
        &settings(),
        doctor,
        appointment,
        start + TimeDelta::minutes(1),
    )
    .await
    .expect("complete");
    assert_eq!(w.status(appointment).await.0, "completed");
    let cancel_after = booking::cancel(
        &db.pool,
        &settings(),
        doctor,
        booking::Cancellation {
            appointment_id: appointment,
            expected_refund: None,
            reason: "",
        },
        &key(),
        start,
    )
    .await;
    assert!(
        matches!(cancel_after, Err(AppError::Conflict(_))),
        "{cancel_after:?}"
    );
    assert_invariants(&db).await;
}

// ---------------------------------------------------------------------------------------------
// Concurrency, over HTTP through two server instances sharing the database
// ---------------------------------------------------------------------------------------------

/// Two independent instances of the app (each its own router, pool and gateway), as two
/// servers behind a load balancer would be.
async fn instances(db: &TestDb) -> [TestApp; 2] {
    let second_pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(8)
        .connect_with(db.pool.connect_options().as_ref().clone())
        .await
        .expect("second pool");
    [
        TestApp::new(db),
        TestApp::from(http::router(&config(), second_pool)),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_patients_racing_for_one_slot_leave_one_booking_and_clean_refusals() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let routers = Arc::new(instances(&db).await);
    let slot = w.slot(3, 10).await;
    let _nearby = w.slot(3, 11).await;
    let mut cookies = Vec::new();
    for n in 0..12 {
        let name = format!("racer{n}");
        w.patient(&name, "100.00").await;
        cookies.push(routers[n % 2].sign_in_as(&name).await);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(cookies.len()));
    let tasks: Vec<_> = cookies
        .into_iter()
        .enumerate()
        .map(|(n, cookie)| {
            let routers = routers.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                routers[n % 2]
                    .book(&cookie, slot, RequestKey::generate().as_str())
                    .await
            })
        })
        .collect();
    let mut confirmed = 0;
    let mut taken = 0;
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert_eq!(status, StatusCode::OK, "{body}");
        if body.get("Confirmed").is_some() {
            confirmed += 1;
        } else if let Some(taken_body) = body.get("SlotTaken") {
            assert_eq!(
                taken_body["alternatives"].as_array().map(Vec::len),
                Some(1),
                "{body}"
            );
            taken += 1;
        } else {
            panic!("unexpected answer {body}");
        }
    }
    assert_eq!((confirmed, taken), (1, 11));
    let charged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM wallet_transactions WHERE transaction_type = 'payment'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("count");
    assert_eq!(charged, 1);
    assert_invariants(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_patient_booking_many_slots_at_once_never_overdraws() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let routers = Arc::new(instances(&db).await);
    let ann = w.patient("ann", "250.00").await;
    let cookies = [
        routers[0].sign_in_as("ann").await,
        routers[1].sign_in_as("ann").await,
    ];
    let mut slots = Vec::new();
    for hour in 8..18 {
        slots.push(w.slot(4, hour).await);
    }
    // Each slot twice with the same key (a double click), from either instance.
    let barrier = Arc::new(tokio::sync::Barrier::new(slots.len() * 2));
    let mut tasks = Vec::new();
    for (n, slot) in slots.iter().enumerate() {
        let request_key = RequestKey::generate().as_str().to_owned();
        for click in 0..2 {
            let routers = routers.clone();
            let cookie = cookies[(n + click) % 2].clone();
            let barrier = barrier.clone();
            let (slot, request_key) = (*slot, request_key.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                (
                    n,
                    routers[(n + click) % 2]
                        .book(&cookie, slot, &request_key)
                        .await,
                )
            }));
        }
    }
    let mut answers: Vec<Option<(StatusCode, Value)>> = vec![None; slots.len()];
    for task in tasks {
        let (n, (status, body)) = task.await.expect("task");
        assert!(
            status == StatusCode::OK || status == StatusCode::CONFLICT,
            "{status}: {body}"
        );
        match &answers[n] {
            None => answers[n] = Some((status, body)),
            Some(first) => assert_eq!(
                first,
                &(status, body),
                "a double click gets the same answer"
            ),
        }
    }
    let count = |kind: &str| {
        answers
            .iter()
            .flatten()
            .filter(|(_, a)| a.get(kind).is_some())
            .count()
    };
    let refused = answers
        .iter()
        .flatten()
        .filter(|(status, _)| *status == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (count("Confirmed"), count("AwaitingPayment"), refused),
        (3, 2, 5),
        "250.00 pays for three 80.00 visits; two more are held for payment (the most at once), \
         the rest are refused"
    );
    assert_eq!(w.balance(ann).await, money("10.00"));
    assert_eq!(w.ledger_rows(ann, "payment").await, 3);
    assert_invariants(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_cancellations_and_completions_refund_at_most_once() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "1000.00").await;
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE user_type = 'admin'")
        .fetch_one(&db.pool)
        .await
        .expect("admin");
    let mut appointments = Vec::new();
    for hour in 8..14 {
        let slot = w.slot(3, hour).await;
        appointments.push((slot, confirmed(w.book(ann, slot, Utc::now()).await)));
    }
    let pool = db.pool.clone();
    let mut tasks = Vec::new();
    for (n, (slot, appointment)) in appointments.iter().copied().enumerate() {
        let start = w.starts_at(slot).await;
        let (first, second) = if n % 2 == 0 {
            // Before the start: the patient cancels twice at once (two tabs, two keys).
            (patient_actor(ann), patient_actor(ann))
        } else {
            // After the start: an admin cancels while the doctor completes.
            (
                Actor {
                    user_id: admin,
                    role: UserRole::Admin,
                },
                Actor {
                    user_id: w.doctor_user,
                    role: UserRole::Doctor,
                },
            )
        };
        let at = if n % 2 == 0 {
            Utc::now()
        } else {
            start + TimeDelta::minutes(2)
        };
        for actor in [first, second] {
            let pool = pool.clone();
            tasks.push(tokio::spawn(async move {
                if actor.role == UserRole::Doctor {
                    booking::complete(&pool, &settings(), actor, appointment, at)
                        .await
                        .map(|()| None)
                } else {
                    let expected = (actor.role == UserRole::Patient).then(|| money("80.00"));
                    booking::cancel(
                        &pool,
                        &settings(),
                        actor,
                        booking::Cancellation {
                            appointment_id: appointment,
                            expected_refund: expected,
                            reason: "",
                        },
                        &RequestKey::generate(),
                        at,
                    )
                    .await
                    .map(Some)
                }
            }));
        }
    }
    let mut successes = vec![0; appointments.len()];
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.expect("task") {
            Ok(_) => successes[i / 2] += 1,
            Err(AppError::Conflict(_)) => {}
            Err(other) => panic!("a race ended in {other:?}"),
        }
    }
    assert!(
        successes.iter().all(|&n| n == 1),
        "exactly one action wins each race: {successes:?}"
    );
    let refunds: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM wallet_transactions WHERE transaction_type = 'refund'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("count");
    let cancelled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM appointments WHERE status = 'cancelled'")
            .fetch_one(&db.pool)
            .await
            .expect("count");
    assert_eq!(refunds, cancelled, "one refund per cancelled appointment");
    assert_invariants(&db).await;
}

// ---------------------------------------------------------------------------------------------
// The wallet
// ---------------------------------------------------------------------------------------------

fn card(number: &str) -> Card {
    Card::parse(number, "12/35", "123", Utc::now().date_naive()).expect("card")
}

#[tokio::test]
async fn top_ups_and_withdrawals_follow_the_card_and_never_exceed_the_balance() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "0").await;
    let gateway = SandboxGateway::default();

    let request = key();
    let receipt = wallet::top_up(
        &db.pool,
        &gateway,
        ann,
        &card(test_cards::APPROVED),
        money("120.50"),
        &request,
    )
    .await
    .expect("top up");
    assert_eq!(receipt.balance, money("120.50"));
    assert!(receipt.external_id.starts_with("sbx_ch_"));
    let replay = wallet::top_up(
        &db.pool,
        &gateway,
        ann,
        &card(test_cards::APPROVED),
        money("120.50"),
        &request,
    )
    .await;
    assert_eq!(
        replay,
        Ok(receipt.clone()),
        "a retry is answered, not charged again"
    );
    assert_eq!(w.balance(ann).await, money("120.50"));

    let declined = wallet::top_up(
        &db.pool,
        &gateway,
        ann,
        &card(test_cards::DECLINED),
        money("10"),
        &key(),
    )
    .await;
    assert!(
        matches!(declined, Err(AppError::Validation { ref field, ref message }) if field == "card_number" && message.contains("declined")),
        "{declined:?}"
    );
    let unreachable = wallet::top_up(
        &db.pool,
        &gateway,
        ann,
        &card(test_cards::UNREACHABLE),
        money("10"),
        &key(),
    )
    .await;
    // No answer: pending until reconciliation learns what became of it (the sandbox never
    // received it, so it is settled as not charged).
    assert!(
        matches!(unreachable, Err(AppError::Conflict(ref m)) if m.contains("keep asking")),
        "{unreachable:?}"
    );
    assert_eq!(w.balance(ann).await, money("120.50"));

    let too_much = wallet::withdraw(
        &db.pool,
        &gateway,
        ann,
        &card(test_cards::APPROVED),
        money("120.51"),
        &key(),
    )
    .await;
    assert!(
        matches!(too_much, Err(AppError::Validation { ref field, .. }) if field == "amount"),
        "{too_much:?}"
    );
    let refused_payout = wallet::withdraw(
        &db.pool,
        &gateway,
        ann,
        &card(test_cards::DECLINED),
        money("20"),
        &key(),
    )
    .await;
    assert!(refused_payout.is_err());
    assert_eq!(
        w.balance(ann).await,
        money("120.50"),
        "a declined payout gives the money back"
    );
    let out = wallet::withdraw(
        &db.pool,
        &gateway,
        ann,
        &card(test_cards::APPROVED),
        money("100.50"),
        &key(),
    )
    .await
    .expect("withdraw");
    assert_eq!(out.balance, money("20.00"));
    let operations: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, status FROM gateway_operations ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .expect("operations");
    assert_eq!(
        operations,
        [
            ("deposit", "succeeded"),
            ("deposit", "declined"),
            ("deposit", "pending"),
            ("withdrawal", "declined"),
            ("withdrawal", "succeeded")
        ]
        .map(|(k, s)| (k.to_owned(), s.to_owned()))
    );
    assert_invariants(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallet_history_filters_pages_and_exports_csv_for_its_owner_only() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "300.00").await;
    w.patient("bob", "5.00").await;
    let slot = w.slot(3, 9).await;
    let appointment = confirmed(w.book(ann, slot, Utc::now()).await);
    booking::cancel(
        &db.pool,
        &settings(),
        patient_actor(ann),
        booking::Cancellation {
            appointment_id: appointment,
            expected_refund: Some(money("80")),
            reason: "",
        },
        &key(),
        Utc::now(),
    )
    .await
    .expect("cancel");
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("ann").await;
    let (status, page) = app
        .call(
            &cookie,
            "/api/wallet/page",
            "params[kind]=refund".to_owned(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["entries"][0]["amount"], "80.00");
    assert_eq!(page["balance"], "300.00");
    let (status, bad) = app
        .call(&cookie, "/api/wallet/page", "params[kind]=gift".to_owned())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    let download = |cookie: Option<String>| {
        let app = app.clone();
        async move {
            let mut request = Request::get("/wallet/transactions.csv?kind=payment");
            if let Some(cookie) = cookie {
                request = request.header(header::COOKIE, cookie);
            }
            let response = app
                .send(request.body(Body::empty()).expect("request"))
                .await;
            let status = response.status();
            let disposition = response.headers().get(header::CONTENT_DISPOSITION).cloned();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            (
                status,
                disposition,
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        }
    };
    let (status, disposition, csv) = download(Some(cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.is_some_and(|d| d.to_str().is_ok_and(|d| d.contains("attachment"))));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "Date,Type,Amount,Balance after,Description,Appointment"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains(",Payment,-80.00,220.00,Appointment with Dr. Jo Heart"),
        "{csv}"
    );
    let (status, _, _) = download(None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reminders_go_out_once_a_day_before_confirmed_appointments_only() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "200.00").await;
    let bob = w.patient("bob", "0").await;
    let tomorrow = w.slot(1, 15).await;
    let later = w.slot(3, 15).await;
    let held = w.slot(1, 16).await;
    let now = Utc::now();
    confirmed(w.book(ann, tomorrow, now).await);
    confirmed(w.book(ann, later, now).await);
    let hold = w.book(bob, held, now).await.expect("book");
    assert!(
        matches!(hold, BookingOutcome::AwaitingPayment { .. }),
        "{hold:?}"
    );
    let reminders = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT to_address FROM email_outbox WHERE subject LIKE 'Reminder:%' ORDER BY id",
        )
        .fetch_all(&db.pool)
        .await
        .expect("reminders")
    };

    // A day before the first visit: only it is due (the other is further off, the hold unpaid).
    let day_before = w.starts_at(tomorrow).await - TimeDelta::hours(23);
    assert_eq!(
        booking::queue_reminders(&db.pool, &settings(), day_before)
            .await
            .expect("queue"),
        1
    );
    assert_eq!(reminders().await, ["ann@example.com"]);
    // Running again (or in another instance) sends nothing twice.
    assert_eq!(
        booking::queue_reminders(&db.pool, &settings(), day_before)
            .await
            .expect("queue"),
        0
    );
    // The later visit's turn comes a day before it.
    let later_day_before = w.starts_at(later).await - TimeDelta::hours(23);
    assert_eq!(
        booking::queue_reminders(&db.pool, &settings(), later_day_before)
            .await
            .expect("queue"),
        1
    );
    assert_eq!(reminders().await.len(), 2);
}

#[tokio::test]
async fn the_appointment_page_shows_its_moments_on_the_clinics_clock() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "100.00").await;
    let appointment = confirmed(w.book(ann, w.slot(3, 10).await, Utc::now()).await);
    // A clinic nine hours ahead of UTC all year round.
    let tokyo = ClinicSettings {
        time_zone: "Asia/Tokyo".to_owned(),
        tz: chrono_tz::Asia::Tokyo,
        ..settings()
    };
    let detail = booking::detail(
        &db.pool,
        &tokyo,
        patient_actor(ann),
        appointment,
        Utc::now(),
    )
    .await
    .expect("detail");
    let payment = detail.payment.expect("paid");
    let paid_at = payment.paid_at.expect("paid at");
    assert_eq!(
        payment.paid_local,
        Some(paid_at.naive_utc() + TimeDelta::hours(9))
    );
    let entry = &detail.ledger[0];
    assert_eq!(
        entry.local_at,
        entry.created_at.naive_utc() + TimeDelta::hours(9)
    );
}
