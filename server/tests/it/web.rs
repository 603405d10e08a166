//! The HTTP surface, in process: the real router over a real database, no network needed.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Datelike, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use tower::ServiceExt;

use server::config::Config;
use server::{http, tools::demo};

use crate::harness::{NewDoctor, TestApp, TestDb, World, config, confirmed, get, local_now};

async fn seed(db: &TestDb) {
    let monday = NaiveDate::from_ymd_opt(2030, 1, 7).expect("date");
    let seeded = demo::seed_if_empty(&db.pool, monday, NaiveTime::MIN)
        .await
        .expect("seed");
    assert!(seeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_when_the_database_answers_with_every_migration_and_alive_regardless() {
    let db = TestDb::new().await;
    let (status, _, body) = get(&db, "/readyz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ready\n"));
    let (status, _, body) = get(&db, "/healthz", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok\n"));

    // A database an older version migrated: not ready, and the answer says what to do.
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&db.pool)
    .await
    .expect("forget a migration");
    let (status, _, body) = get(&db, "/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body.contains("lacks 1 of this version's migrations") && body.contains("server migrate"),
        "{body}"
    );

    let app = TestApp::new(&db);
    db.pool.close().await;
    // Pages and server functions say at once that the database is away, and when to try again.
    let mut answered = None;
    for _ in 0..50 {
        let (status, headers, body) = app.get("/doctors", None).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            answered = Some((headers, body));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (headers, body) = answered.expect("a 503 while the database is away");
    assert_eq!(headers["retry-after"], "5");
    assert!(
        body.contains("cannot be reached right now") && body.contains("Nothing was changed"),
        "{body}"
    );
    let (status, _, body) = app.get("/api/me", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("Unavailable"), "{body}");
    let (status, _, body) = get(&db, "/readyz", None).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    );
    // The process itself still lives: restarting it would not bring the database back.
    let (status, _, _) = get(&db, "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
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
    // Free times week by week, with the way to later weeks and times to book.
    assert!(body.contains("aria-label=\"Weeks of free times\"") && body.contains("Next week"));
    assert!(body.contains("href=\"/book/"));
    assert!(body.contains("Clear and kind.") && body.contains("Ann L."));
    assert!(body.contains("Secret praise.") && body.contains("Anonymous patient"));
    // The patient's surname appears nowhere on the page.
    assert!(!body.contains("Lee"));

    // Nor does the answer of the server function the page reads its reviews from.
    let router = http::router(&config(), db.pool.clone());
    let response = router
        .oneshot(
            Request::get(format!(
                "/api/reviews/doctor?doctor_id={doctor}&stars=&page="
            ))
            .body(Body::empty())
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

/// Fetches `uri` through `router` until it comes from the cache: an instance keeps pages only
/// once it hears changes, which takes a moment after it starts (or after a change).
async fn cached(router: &axum::Router, uri: &str) -> String {
    for _ in 0..100 {
        let (status, cache, body) = fetch(router, uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        if cache.as_deref() == Some("hit") {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{uri} never came from the cache");
}

/// Waits (briefly: a notification arrives within milliseconds) until `uri` is rendered afresh
/// by `router`, and returns the fresh page.
async fn forgotten(router: &axum::Router, uri: &str) -> String {
    for _ in 0..100 {
        let (_, cache, body) = fetch(router, uri, None).await;
        if cache.as_deref() == Some("miss") {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{uri} was never forgotten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_forgets_the_pages_it_alters_in_every_instance() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let cardiology: i64 = sqlx::query_scalar("SELECT specialty_id FROM doctors WHERE id = $1")
        .bind(world.doctor)
        .fetch_one(&db.pool)
        .await
        .expect("specialty");
    let other = world
        .clinic
        .doctor(NewDoctor {
            first: "Ada",
            last: "Other",
            specialty: cardiology,
            rating: "0",
            reviews: 0,
            fee: "50.00",
            years: 3,
        })
        .await;
    let slot = world.slot(3, 10).await;
    let patient = world.patient("cachy", "200.00").await;
    // Two instances over one database, as behind a proxy.
    let settings = Config {
        page_cache_ms: 60_000,
        ..config()
    };
    let instances = [
        http::router(&settings, db.pool.clone()),
        http::router(&settings, db.pool.clone()),
    ];
    let slot_day = local_now().date() + chrono::Duration::days(3);
    let monday =
        slot_day - chrono::Duration::days(slot_day.weekday().num_days_from_monday().into());
    let doctor_page = format!("/doctors/{}?week={monday}", world.doctor);
    let other_page = format!("/doctors/{other}");
    let pages = ["/", "/doctors", doctor_page.as_str(), other_page.as_str()];
    for instance in &instances {
        for page in pages {
            cached(instance, page).await;
        }
        assert!(
            cached(instance, &doctor_page)
                .await
                .contains(&format!("/book/{slot}"))
        );
    }

    // A change nobody announces (here, by hand in SQL) waits for the cache's lifetime…
    sqlx::query("UPDATE specialties SET description = 'Hearts, by hand' WHERE id = $1")
        .bind(cardiology)
        .execute(&db.pool)
        .await
        .expect("by hand");
    assert!(!cached(&instances[1], "/").await.contains("Hearts, by hand"));
    // …and a signed-in visitor, or a page nobody asked for yet, is always rendered afresh.
    let (_, cache, fresh) = fetch(&instances[1], "/", Some("clinic_session=whatever")).await;
    assert_eq!(cache, None);
    assert!(fresh.contains("Hearts, by hand"));
    let (_, cache, _) = fetch(&instances[1], "/doctors?q=lee", None).await;
    assert_eq!(cache.as_deref(), Some("miss"));
    // Junk parameters are the same page, not another entry.
    let (_, cache, _) = fetch(&instances[1], "/doctors?utm_source=mail&q=lee", None).await;
    assert_eq!(cache.as_deref(), Some("hit"));

    // Asking who is signed in (every header does, after every navigation) changes nothing and
    // keeps the pages; it is never kept itself.
    let (status, headers, _) = TestApp::from(instances[0].clone())
        .get("/api/me", Some("clinic_session=whatever"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[axum::http::header::CACHE_CONTROL], "no-store");

    // A booking (through whichever instance) forgets that doctor's pages and the directory in
    // every instance; the home page and the other doctor's page stay.
    confirmed(world.book(patient, slot, chrono::Utc::now()).await);
    for instance in &instances {
        let after = forgotten(instance, &doctor_page).await;
        assert!(
            !after.contains(&format!("/book/{slot}")),
            "the booked time is gone"
        );
        forgotten(instance, "/doctors").await;
        let (_, cache, _) = fetch(instance, "/", None).await;
        assert_eq!(cache.as_deref(), Some("hit"));
        let (_, cache, _) = fetch(instance, &other_page, None).await;
        assert_eq!(cache.as_deref(), Some("hit"));
    }

    // A specialty's new name is on every page: everything goes.
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE user_type = 'admin'")
        .fetch_one(&db.pool)
        .await
        .expect("admin");
    let renamed = app::domain::SpecialtyDetails {
        name: "Heart Medicine".to_owned(),
        description: "Hearts".to_owned(),
    };
    app::services::specialties::update(&db.pool, admin, cardiology, &renamed)
        .await
        .expect("rename");
    for instance in &instances {
        assert!(
            forgotten(instance, &other_page)
                .await
                .contains("Heart Medicine")
        );
        assert!(forgotten(instance, "/").await.contains("Heart Medicine"));
    }
}

#[tokio::test]
async fn the_bundle_is_sent_compressed_once_and_pages_are_asked_for_again() {
    let db = TestDb::new().await;
    let site = std::env::temp_dir().join(format!("clinic-site-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    std::fs::write(pkg.join("clinic.wasm"), b"\0asm plain").expect("wasm");
    std::fs::write(pkg.join("clinic.wasm.br"), b"brotli bytes").expect("br");
    let app = TestApp::from(http::router(
        &Config {
            site_root: site.to_string_lossy().into_owned(),
            ..config()
        },
        db.pool.clone(),
    ));
    let wasm = |encoding: &'static str| {
        Request::get("/pkg/clinic.wasm")
            .header(axum::http::header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .expect("request")
    };
    // The copy compressed at build time, as it is; the plain file to a browser that asks so.
    let response = app.send(wasm("br, gzip")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "br");
    // Not named after its content (this build wrote no hash file): asked for again each time.
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(response.headers()["vary"], "accept-encoding");
    assert_eq!(crate::harness::body_text(response).await, "brotli bytes");
    let response = app.send(wasm("identity")).await;
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(crate::harness::body_text(response).await, "\0asm plain");

    // A visitor's page is revalidated; a signed-in person's is kept by nobody.
    let (_, headers, _) = app.get("/", None).await;
    assert_eq!(headers["cache-control"], "no-cache");
    crate::harness::account(&db, "pat", app::domain::UserRole::Patient).await;
    let cookie = app.sign_in_as("pat").await;
    let (_, headers, _) = app.get("/", Some(&cookie)).await;
    assert_eq!(headers["cache-control"], "private, no-store");
    std::fs::remove_dir_all(&site).ok();
}
