//! Abuse: parallel password guesses, floods of registrations and mail, slots held without
//! money, and the payment sandbox on a real deployment.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use tower::ServiceExt;

use app::domain::AppError;
use app::domain::booking::BookingOutcome;
use app::domain::wallet::CardPayments;
use app::services::accounts;
use server::config::{Config, PaymentsChoice};
use server::http;

use crate::harness::{
    PASSWORD, TestApp, TestDb, World, assert_invariants, body_text, config, form, key,
};

const ACCOUNT_LIMIT: usize = accounts::ACCOUNT_FAILURE_LIMIT as usize;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_get_no_more_tries_than_the_limit() {
    let db = TestDb::new().await;
    accounts::register(&db.pool, form("ann", "ann@example.com"), Utc::now())
        .await
        .expect("register");
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let mut guesses = Vec::new();
    for n in 0..50 {
        let pool = db.pool.clone();
        let barrier = barrier.clone();
        guesses.push(tokio::spawn(async move {
            barrier.wait().await;
            let address = format!("192.0.2.{}", n % 5).parse().ok();
            accounts::sign_in(&pool, "ann", &format!("guess-{n}"), address, Utc::now()).await
        }));
    }
    let (mut checked, mut paused) = (0, 0);
    for guess in guesses {
        match guess.await.expect("task") {
            Err(AppError::Validation { .. }) => checked += 1,
            Err(AppError::RateLimited { .. }) => paused += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(
        (checked, paused),
        (ACCOUNT_LIMIT, 50 - ACCOUNT_LIMIT),
        "only {ACCOUNT_LIMIT} guesses reach the password check"
    );
    // The right password waits too, until the pause is over.
    let paused = accounts::sign_in(&db.pool, "ann", PASSWORD, None, Utc::now()).await;
    assert!(
        matches!(paused, Err(AppError::RateLimited { .. })),
        "{paused:?}"
    );
}

#[tokio::test]
async fn a_username_and_its_email_share_one_count() {
    let db = TestDb::new().await;
    accounts::register(&db.pool, form("ann", "ann@example.com"), Utc::now())
        .await
        .expect("register");
    for n in 0..ACCOUNT_LIMIT {
        // Alternating between the two ways of naming the account.
        let identifier = if n % 2 == 0 { "ann" } else { "ANN@example.com" };
        let wrong = accounts::sign_in(&db.pool, identifier, "wrong", None, Utc::now()).await;
        assert!(
            matches!(wrong, Err(AppError::Validation { .. })),
            "{wrong:?}"
        );
    }
    for identifier in ["ann", "ann@example.com"] {
        let paused = accounts::sign_in(&db.pool, identifier, PASSWORD, None, Utc::now()).await;
        assert!(
            matches!(paused, Err(AppError::RateLimited { .. })),
            "{identifier}: {paused:?}"
        );
    }
}

/// The most memory this process has held at once, in KiB (Linux's high-water mark).
fn peak_memory_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_parallel_registrations_keep_memory_bounded() {
    let db = TestDb::new().await;
    let before = peak_memory_kib();
    let barrier = Arc::new(tokio::sync::Barrier::new(200));
    let mut registrations = Vec::new();
    for n in 0..200 {
        let pool = db.pool.clone();
        let barrier = barrier.clone();
        registrations.push(tokio::spawn(async move {
            barrier.wait().await;
            accounts::register(
                &pool,
                form(&format!("flood{n}"), &format!("flood{n}@example.com")),
                Utc::now(),
            )
            .await
        }));
    }
    for registration in registrations {
        registration.await.expect("task").expect("registered");
    }
    let grown_mib = peak_memory_kib().saturating_sub(before) / 1024;
    // Each hash takes 19 MiB: all 200 at once would be 3.8 GiB. One at a time per core, plus
    // a margin for the pool, the runtime and 200 waiting requests, stays under the bound
    // (measured: 78 MiB on 2 cores).
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get) as u64;
    let bound_mib = 64 + 24 * cores;
    println!(
        "peak memory grew by {grown_mib} MiB for 200 parallel registrations (bound {bound_mib} MiB)"
    );
    assert!(grown_mib < bound_mib, "memory grew by {grown_mib} MiB");
}

#[tokio::test]
async fn a_patient_can_hold_only_so_many_unpaid_times() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "0.00").await;
    let now = Utc::now();
    let mut holds = Vec::new();
    for hour in [9, 10] {
        match w.book(ann, w.slot(4, hour).await, now).await {
            Ok(BookingOutcome::AwaitingPayment { appointment_id, .. }) => {
                holds.push(appointment_id)
            }
            other => panic!("expected a hold, got {other:?}"),
        }
    }
    let third = w.slot(4, 11).await;
    let refused = w.book(ann, third, now).await;
    let Err(AppError::Conflict(message)) = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    assert!(
        message.contains("You already hold 2 unpaid times"),
        "{message}"
    );
    let free: bool = sqlx::query_scalar("SELECT is_available FROM time_slots WHERE id = $1")
        .bind(third)
        .fetch_one(&db.pool)
        .await
        .expect("slot");
    assert!(free, "the refused booking held nothing");
    // With money, booking is never limited by the holds...
    w.deposit(ann, "80.00").await;
    let paid = w.book(ann, third, now).await;
    assert!(
        matches!(paid, Ok(BookingOutcome::Confirmed { .. })),
        "{paid:?}"
    );
    // ...and once a hold has ended another can be made.
    app::services::booking::expire_holds(&db.pool, now + chrono::Duration::minutes(16))
        .await
        .expect("expire");
    let again = w
        .book(
            ann,
            w.slot(4, 12).await,
            now + chrono::Duration::minutes(16),
        )
        .await;
    assert!(
        matches!(again, Ok(BookingOutcome::AwaitingPayment { .. })),
        "{again:?}"
    );
    assert_invariants(&db).await;
}

async fn forgot_password(config: &Config, db: &TestDb, email: &str) -> StatusCode {
    http::router(config, db.pool.clone())
        .oneshot(
            Request::post("/api/forgot-password")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(Body::from(format!(
                    "email={}",
                    app::domain::encode_query(email)
                )))
                .expect("request"),
        )
        .await
        .expect("response")
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_can_flood_an_inbox_through_us() {
    let db = TestDb::new().await;
    let limit = app::services::rate_limits::PER_RECIPIENT.limit;
    for _ in 0..limit {
        assert_eq!(
            forgot_password(&config(), &db, "victim@example.com").await,
            StatusCode::OK
        );
    }
    assert_eq!(
        forgot_password(&config(), &db, "Victim@Example.com").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the same inbox, however it is written"
    );
    assert_eq!(
        forgot_password(&config(), &db, "someone.else@example.com").await,
        StatusCode::OK
    );
    // Off (load tests only), nothing is counted.
    let unlimited = Config {
        rate_limits: false,
        ..config()
    };
    assert_eq!(
        forgot_password(&unlimited, &db, "victim@example.com").await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_sandbox_never_reaches_an_https_site_by_accident() {
    let https = Config {
        public_url: Some("https://clinic.example.org".to_owned()),
        ..config()
    };
    let error = https.card_payments().expect_err("refused").to_string();
    assert!(error.contains("CLINIC_PAYMENTS"), "{error}");
    let chosen = Config {
        payments: Some(PaymentsChoice::Sandbox),
        ..https.clone()
    };
    assert_eq!(
        chosen.card_payments().expect("chosen"),
        CardPayments::Sandbox
    );
    let off = Config {
        payments: Some(PaymentsChoice::Off),
        ..https
    };
    assert_eq!(off.card_payments().expect("chosen"), CardPayments::Off);
    assert_eq!(
        config().card_payments().expect("local"),
        CardPayments::Sandbox
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_card_payments_off_no_card_moves_money_and_the_wallet_says_so() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "20.00").await;
    for (payments, expected) in [(None, "Sandbox"), (Some(PaymentsChoice::Off), "Off")] {
        let app = TestApp::from(http::router(
            &Config {
                payments,
                ..config()
            },
            db.pool.clone(),
        ));
        let cookie = app.sign_in_as("ann").await;
        let page = app
            .send(
                Request::post("/api/wallet/page")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, &cookie)
                    .body(Body::from(
                        "params[kind]=&params[from]=&params[to]=&params[page]=",
                    ))
                    .expect("request"),
            )
            .await;
        let body = body_text(page).await;
        assert!(
            body.contains(&format!("\"card_payments\":\"{expected}\"")),
            "{body}"
        );
        if payments.is_some() {
            let top_up = app
                .send(
                    Request::post("/api/wallet/top-up")
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header(header::COOKIE, &cookie)
                        .body(Body::from("amount=50&card_number=4242424242424242&expiry=12%2F34&cvc=123&request_key=off-top-up-000000000000"))
                        .expect("request"),
                )
                .await;
            assert_ne!(top_up.status(), StatusCode::OK);
            let body = body_text(top_up).await;
            assert!(body.contains("Card payments are not available"), "{body}");
        }
    }
    assert_eq!(
        w.balance(ann).await,
        app::domain::Money::parse("20.00").expect("amount")
    );
    assert_invariants(&db).await;
}

/// A booking whose answer was lost on the way is asked again with its request key. Past the
/// limit on new bookings, the repeat still gets its answer (it books nothing new): otherwise
/// the patient would be told that a booking they hold had failed.
#[tokio::test]
async fn a_repeated_booking_request_gets_its_answer_even_past_the_booking_limit() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = world.patient("ann", "5000").await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("ann").await;
    let limit = app::services::rate_limits::Action::Book
        .per_account()
        .expect("bookings are limited per account")
        .limit;

    let first_slot = world.slot(3, 8).await;
    let first_key = key();
    let (status, first) = app.book(&cookie, first_slot, first_key.as_str()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    for n in 1..limit {
        let slot = world.slot(3 + i64::from(n / 10), 8 + (n % 10) as u32).await;
        let (status, answer) = app.book(&cookie, slot, key().as_str()).await;
        assert_eq!(status, StatusCode::OK, "booking {n}: {answer}");
    }
    let one_more = world.slot(9, 8).await;
    let (status, _) = app.book(&cookie, one_more, key().as_str()).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a new booking past the limit"
    );

    let (status, again) = app.book(&cookie, first_slot, first_key.as_str()).await;
    assert_eq!(status, StatusCode::OK, "the repeat: {again}");
    assert_eq!(again, first, "the repeat gets the first answer");
    let booked: i64 = sqlx::query_scalar("SELECT count(*) FROM appointments WHERE patient_id = $1")
        .bind(ann)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(booked, i64::from(limit), "the repeat booked nothing more");
    assert!(!world.slot_free(first_slot).await);
    assert_invariants(&db).await;
}

#[tokio::test]
async fn a_limit_spent_at_the_end_of_a_window_is_not_new_again_a_second_later() {
    use app::services::rate_limits::{self, Action, Actor, Enforcement};
    let db = TestDb::new().await;
    let rule = Action::Book
        .per_account()
        .expect("bookings are limited per account");
    let actor = Actor {
        account: Some(7),
        ..Actor::default()
    };
    // One second before a window of the per-account rule ends, then one second after.
    let window_end =
        chrono::DateTime::from_timestamp(1_800_000_000 / rule.window_secs * rule.window_secs, 0)
            .expect("instant");
    let before = window_end - chrono::Duration::seconds(1);
    let after = window_end + chrono::Duration::seconds(1);
    let book = |at| rate_limits::check(&db.pool, Enforcement::On, Action::Book, actor, at);

    for n in 0..rule.limit {
        book(before)
            .await
            .unwrap_or_else(|e| panic!("booking {n}: {e:?}"));
    }
    match book(after).await {
        Err(AppError::RateLimited { retry_after_secs }) => {
            assert!(retry_after_secs > 1, "{retry_after_secs}");
            // Once the wait is over, one more passes.
            let later = after + chrono::Duration::seconds(retry_after_secs as i64);
            book(later).await.expect("after the wait");
        }
        other => panic!("a fresh window let a spent limit through: {other:?}"),
    }
}
