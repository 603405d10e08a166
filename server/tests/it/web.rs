//! The HTTP surface, in process: the real router over a real database, no network needed.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use tower::ServiceExt;

use server::config::Config;
use server::{http, tools::demo};

use crate::harness::{TestApp, TestDb, config, get};

async fn seed(db: &TestDb) {
    let monday = NaiveDate::from_ymd_opt(2030, 1, 7).expect("date");
    let seeded = demo::seed_if_empty(&db.pool, monday, NaiveTime::MIN)
        .await
        .expect("seed");
    assert!(seeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_check_answers_when_the_database_does() {
    let db = TestDb::new().await;
    let (status, _, body) = get(&db, "/healthz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok\n"));

    db.pool.close().await;
    let (status, _, _) = get(&db, "/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_lists_the_specialties_in_the_database() {
    let db = TestDb::new().await;
    let (status, _, body) = get(&db, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("No specialties have been added yet."),
        "{body}"
    );

    sqlx::query("INSERT INTO specialties (name, description) VALUES ('Sleep Medicine', 'Snoring and insomnia')")
        .execute(&db.pool)
        .await
        .expect("specialty");
    let (status, _, body) = get(&db, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Sleep Medicine") && body.contains("Snoring and insomnia"),
        "{body}"
    );
    assert!(body.contains("0 doctors"));
    assert!(body.contains("<title>Clinic</title>"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_answer_404_with_a_way_back() {
    let db = TestDb::new().await;
    let (status, _, body) = get(&db, "/no-such-page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("We could not find that page"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_finds_doctors_by_name_and_specialty() {
    let db = TestDb::new().await;
    seed(&db).await;

    let (status, _, body) = get(&db, "/doctors?q=hart", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Dr. Amelia Hart"), "{body}");
    assert!(!body.contains("Dr. Rafael Ortiz"));

    let dermatology: i64 =
        sqlx::query_scalar("SELECT id FROM specialties WHERE name = 'Dermatology'")
            .fetch_one(&db.pool)
            .await
            .expect("specialty");
    let (_, _, body) = get(&db, &format!("/doctors?specialty={dermatology}"), None).await;
    assert!(body.contains("Dr. Priya Nair") && body.contains("Dr. Tom Becker"));
    assert!(!body.contains("Dr. Amelia Hart"));

    // Wildcards in the search are literal text, and no match says so.
    let (status, _, body) = get(&db, "/doctors?q=%25", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No doctors match"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_is_loaded_once_and_its_money_adds_up() {
    let db = TestDb::new().await;
    seed(&db).await;
    let monday = NaiveDate::from_ymd_opt(2030, 1, 7).expect("date");
    let again = demo::seed_if_empty(&db.pool, monday, NaiveTime::MIN)
        .await
        .expect("seed");
    assert!(!again, "a database with users is left alone");

    let (specialties, doctors, patients, admins, slots): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM specialties),
                (SELECT count(*) FROM doctors WHERE is_active),
                (SELECT count(*) FROM users WHERE user_type = 'patient'),
                (SELECT count(*) FROM users WHERE user_type = 'admin'),
                (SELECT count(*) FROM time_slots WHERE is_available)",
        )
        .fetch_one(&db.pool)
        .await
        .expect("counts");
    assert_eq!((specialties, doctors, patients, admins), (8, 12, 3, 1));
    assert!(
        slots > 12 * 12 * 6,
        "every doctor has two weeks of free slots: {slots}"
    );

    // Every wallet balance equals the sum of its ledger, and the last ledger row agrees.
    let mismatched: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users u
          WHERE u.wallet_balance <> (SELECT coalesce(sum(amount), 0) FROM wallet_transactions w WHERE w.user_id = u.id)",
    )
    .fetch_one(&db.pool)
    .await
    .expect("ledger check");
    assert_eq!(mismatched, 0);
    let total: Decimal = sqlx::query_scalar("SELECT sum(wallet_balance) FROM users")
        .fetch_one(&db.pool)
        .await
        .expect("total");
    assert_eq!(total, Decimal::new(83000, 2));

    // Demo accounts can sign in with the printed password.
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'ann'")
        .fetch_one(&db.pool)
        .await
        .expect("hash");
    assert!(
        app::services::passwords::verify(demo::DEMO_PASSWORD.to_owned(), hash)
            .await
            .expect("verify")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let db = TestDb::new().await;
    let router = http::router(&config(), db.pool.clone());
    let response = router
        .oneshot(
            Request::get("/")
                .header("accept-encoding", "br, gzip")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .map(|v| v.as_bytes()),
        Some(&b"br"[..])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_pages_send_visitors_to_sign_in_and_back() {
    let db = TestDb::new().await;
    let router = http::router(&config(), db.pool.clone());
    let response = router
        .oneshot(
            Request::get("/profile")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/sign-in?next=/profile");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doctor_page_shows_bio_free_times_and_reviews_without_unmasking_anyone() {
    let db = TestDb::new().await;
    // Demo data seeded "today" so its slots lie in the future.
    let (today, now) = demo::clinic_now(chrono_tz::Europe::London);
    demo::seed_if_empty(&db.pool, today, now)
        .await
        .expect("seed");
    let (doctor, slot): (i64, i64) = sqlx::query_as(
        "SELECT d.id, min(t.id) FROM doctors d JOIN users u ON u.id = d.user_id
           JOIN time_slots t ON t.doctor_id = d.id WHERE u.username = 'dr.hart' GROUP BY d.id",
    )
    .fetch_one(&db.pool)
    .await
    .expect("doctor");
    // Two completed visits reviewed by Ann: one signed, one anonymous.
    let second_slot: i64 = sqlx::query_scalar(
        "SELECT id FROM time_slots WHERE doctor_id = $1 AND id > $2 ORDER BY id LIMIT 1",
    )
    .bind(doctor)
    .bind(slot)
    .fetch_one(&db.pool)
    .await
    .expect("slot");
    for (slot, anonymous, comment) in [
        (slot, false, "Clear and kind."),
        (second_slot, true, "Secret praise."),
    ] {
        sqlx::query(
            "WITH a AS (
                INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
                SELECT u.id, $1, $2, 'completed', 120 FROM users u WHERE u.username = 'ann' RETURNING id, patient_id)
             INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating, comment, is_anonymous)
             SELECT a.id, a.patient_id, $1, 5, $4, $3 FROM a",
        )
        .bind(doctor)
        .bind(slot)
        .bind(anonymous)
        .bind(comment)
        .execute(&db.pool)
        .await
        .expect("review");
        sqlx::query("UPDATE time_slots SET is_available = FALSE WHERE id = $1")
            .bind(slot)
            .execute(&db.pool)
            .await
            .expect("slot taken");
    }

    let (status, _, body) = get(&db, &format!("/doctors/{doctor}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Dr. Amelia Hart") && body.contains("Consultant cardiologist"));
    assert!(body.contains("Free times in the next 14 days"));
    assert!(body.contains("Clear and kind.") && body.contains("Ann L."));
    assert!(body.contains("Secret praise.") && body.contains("Anonymous patient"));
    // The patient's surname appears nowhere on the page.
    assert!(!body.contains("Lee"));

    // Nor does the answer of the server function the page reads its reviews from.
    let router = http::router(&config(), db.pool.clone());
    let response = router
        .oneshot(
            Request::post("/api/reviews/doctor")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("doctor_id={doctor}&stars=&page=")))
                .expect("request"),
        )
        .await
        .expect("response");
    let json = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let profile: serde_json::Value = serde_json::from_slice(&json).expect("json");
    let authors: Vec<(&str, &str)> = profile["reviews"]
        .as_array()
        .expect("reviews")
        .iter()
        .map(|r| {
            (
                r["comment"].as_str().unwrap_or_default(),
                r["author"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        authors.contains(&("Secret praise.", "Anonymous patient")),
        "{authors:?}"
    );
    assert!(
        authors.contains(&("Clear and kind.", "Ann L.")),
        "{authors:?}"
    );
    let text = profile.to_string();
    assert!(
        !text.contains("Lee") && !text.contains("patient_id") && !text.contains("\"ann\""),
        "{text}"
    );

    let (status, _, body) = get(&db, "/doctors/999999", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("We could not find that page"));
}

/// A GET through `router` with an optional cookie: status, the page-cache header, body.
async fn fetch(
    router: &axum::Router,
    uri: &str,
    cookie: Option<&str>,
) -> (StatusCode, Option<String>, String) {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(axum::http::header::COOKIE, cookie);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let cache = response
        .headers()
        .get(server::page_cache::CACHE_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024)
        .await
        .expect("body");
    (status, cache, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_share_a_moment_old_page_until_something_changes() {
    let db = TestDb::new().await;
    let router = http::router(
        &Config {
            page_cache_ms: 60_000,
            ..config()
        },
        db.pool.clone(),
    );
    sqlx::query("INSERT INTO specialties (name) VALUES ('Sleep Medicine')")
        .execute(&db.pool)
        .await
        .expect("specialty");
    let (status, cache, first) = fetch(&router, "/", None).await;
    assert_eq!((status, cache.as_deref()), (StatusCode::OK, Some("miss")));
    assert!(first.contains("Sleep Medicine"));

    // A change made elsewhere shows once the moment has passed (here: a minute)…
    sqlx::query("INSERT INTO specialties (name) VALUES ('Tropical Medicine')")
        .execute(&db.pool)
        .await
        .expect("specialty");
    let (_, cache, again) = fetch(&router, "/", None).await;
    assert_eq!(cache.as_deref(), Some("hit"));
    assert_eq!(again, first, "the same page, byte for byte");
    // …but a signed-in visitor, or another URL, is always rendered afresh.
    let (_, cache, fresh) = fetch(&router, "/", Some("clinic_session=whatever")).await;
    assert_eq!(cache, None);
    assert!(fresh.contains("Tropical Medicine"));
    let (_, cache, _) = fetch(&router, "/doctors?q=lee", None).await;
    assert_eq!(cache.as_deref(), Some("miss"));

    // Asking who is signed in (every header does, after every navigation) changes nothing and
    // keeps the pages; it is never kept itself.
    let (status, headers, _) = TestApp::from(router.clone())
        .get("/api/me", Some("clinic_session=whatever"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[axum::http::header::CACHE_CONTROL], "no-store");
    let (_, cache, _) = fetch(&router, "/", None).await;
    assert_eq!(cache.as_deref(), Some("hit"));

    // Any change through this server (a request that is not a GET) forgets every page.
    let response = router
        .clone()
        .oneshot(
            Request::post("/api/specialties")
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let (_, cache, after) = fetch(&router, "/", None).await;
    assert_eq!(cache.as_deref(), Some("miss"));
    assert!(after.contains("Tropical Medicine"));
}
