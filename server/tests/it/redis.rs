//! Redis (`REDIS_URL`) against a real `redis-server`: two instances share their pages and
//! sessions through it; a change's answer is never followed by a stale page on any instance;
//! Redis stopping in the middle costs a sign-in at worst and never an error; an erased account's
//! sessions leave Redis too.

use axum::http::StatusCode;
use chrono::{Duration, Utc};

use app::domain::reviews::ReviewDraft;
use app::services::page_changes::{PageChange, announce};
use app::services::reviews;
use server::config::Config;
use server::http;

use crate::harness::{
    PASSWORD, RedisServer, TestApp, TestDb, World, config, confirmed, count, local_now,
};

/// Instances with the page cache on (a minute, so that only announced changes can empty it)
/// and Redis at `redis`.
fn settings(redis: &RedisServer) -> Config {
    Config {
        page_cache_ms: 60_000,
        redis_url: Some(redis.url()),
        ..config()
    }
}

/// The page and where it came from (`x-page-cache`).
async fn page(app: &TestApp, uri: &str) -> (String, String) {
    let (status, headers, body) = app.get(uri, None).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    let from = headers
        .get(server::page_cache::CACHE_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("uncached")
        .to_owned();
    (body, from)
}

/// Waits until `app` keeps pages (it listens for changes once its connection is made).
async fn keeping(app: &TestApp, uri: &str) {
    for _ in 0..100 {
        if page(app, uri).await.1 != "uncached" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{uri} is never kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_share_pages_and_none_shows_what_a_change_altered_once_it_answered() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let redis = RedisServer::start().await;
    let instances = [
        TestApp::from(http::router(&settings(&redis), db.pool.clone())),
        TestApp::from(http::router(&settings(&redis), db.pool.clone())),
    ];
    redis.wait_for_clients(2).await;
    let slot_day = local_now().date() + Duration::days(3);
    let monday = slot_day
        - Duration::days(
            chrono::Datelike::weekday(&slot_day)
                .num_days_from_monday()
                .into(),
        );
    let doctor_page = format!("/doctors/{}?week={monday}", world.doctor);
    for instance in &instances {
        keeping(instance, "/").await;
    }

    // A page one instance rendered, the other serves from Redis without rendering it.
    let (rendered, from) = page(&instances[0], &doctor_page).await;
    assert_eq!(from, "miss");
    let (shared, from) = page(&instances[1], &doctor_page).await;
    assert_eq!(from, "shared");
    assert_eq!(shared, rendered);
    assert!(!redis.keys("clinic:page:*").is_empty());
    // So is the week the page's browser code asks for when the visitor moves between weeks.
    let week_api = format!("/api/doctor-week?id={}&week={monday}", world.doctor);
    assert_eq!(page(&instances[0], &week_api).await.1, "miss");
    assert_eq!(page(&instances[1], &week_api).await.1, "shared");
    let free_in_week = |json: &str, slot: i64| {
        let week: serde_json::Value = serde_json::from_str(json).expect("a week");
        week["slots"]
            .as_array()
            .expect("slots")
            .iter()
            .any(|free| free["id"] == slot)
    };

    // Ten bookings, each through the service as the booking page's request makes it: from the
    // moment each answers, neither instance shows its time as free, on the very next request.
    let patient = world.patient("shared", "2000.00").await;
    for hour in 8..18 {
        // The builder writes the slot in SQL; the doctor's slot page announces it like this.
        let slot = world.slot(3, hour).await;
        announce(&db.pool, &[PageChange::Doctor(world.doctor)]).await;
        for instance in &instances {
            // Both have the page with the new time.
            let (body, _) = page(instance, &doctor_page).await;
            assert!(body.contains(&format!("/book/{slot}")), "{hour}:00 is free");
            assert!(free_in_week(&page(instance, &week_api).await.0, slot));
        }
        confirmed(world.book(patient, slot, Utc::now()).await);
        for instance in &instances {
            let (body, from) = page(instance, &doctor_page).await;
            assert!(
                !body.contains(&format!("/book/{slot}")),
                "{hour}:00 was booked, yet an instance showed it free ({from})"
            );
            let (json, from) = page(instance, &week_api).await;
            assert!(
                !free_in_week(&json, slot),
                "{hour}:00 was booked, yet an instance's week had it free ({from})"
            );
        }
    }

    // A review: the next request on either instance shows the doctor's new rating.
    let visit = past_visit(&world, patient).await;
    let draft = ReviewDraft::parse(Some("1"), "Too quick.", false).expect("draft");
    reviews::create(&db.pool, patient, visit, &draft, Utc::now())
        .await
        .expect("review");
    let total: i32 = sqlx::query_scalar("SELECT total_reviews FROM doctors WHERE id = $1")
        .bind(world.doctor)
        .fetch_one(&db.pool)
        .await
        .expect("total");
    let shown = if total == 1 {
        "1 review".to_owned()
    } else {
        format!("{total} reviews")
    };
    for instance in &instances {
        let (body, from) = page(instance, &doctor_page).await;
        assert!(body.contains(&shown), "the new rating ({shown}), {from}");
    }
}

/// A completed visit of `patient` with the world's doctor yesterday, as the doctor's
/// "completed" leaves it.
async fn past_visit(world: &World<'_>, patient: i64) -> i64 {
    let slot = world.slot(-1, 9).await;
    sqlx::query_scalar(
        "WITH taken AS (UPDATE time_slots SET is_available = FALSE WHERE id = $3)
         INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
         VALUES ($1, $2, $3, 'completed', 80) RETURNING id",
    )
    .bind(patient)
    .bind(world.doctor)
    .bind(slot)
    .fetch_one(&world.db.pool)
    .await
    .expect("visit")
}

/// Who `/api/me` says holds `cookie` (`null` for nobody), and its status.
async fn me(app: &TestApp, cookie: &str) -> (StatusCode, String) {
    let (status, _, body) = app.get("/api/me", Some(cookie)).await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_live_in_redis_and_its_outage_costs_a_sign_in_at_most() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    world.patient("ann", "0").await;
    let mut redis = RedisServer::start().await;
    let instances = [
        TestApp::from(http::router(&settings(&redis), db.pool.clone())),
        TestApp::from(http::router(&settings(&redis), db.pool.clone())),
    ];
    redis.wait_for_clients(2).await;
    let sessions_in_postgres = || count(&db.pool, "SELECT count(*) FROM tower_sessions.session");

    // Signed in through one instance, known to the other; the session is in Redis alone.
    let before = instances[0].sign_in_as("ann").await;
    let (status, who) = me(&instances[1], &before).await;
    assert_eq!(status, StatusCode::OK);
    assert!(who.contains("\"ann\""), "{who}");
    assert_eq!(sessions_in_postgres().await, 0);
    let session_id = before.trim_start_matches("clinic_session=");
    assert!(redis.keys("*").iter().any(|key| key == session_id));
    keeping(&instances[0], "/doctors").await;

    // Redis goes away. Nothing fails: pages come from PostgreSQL, the Redis session is gone
    // (its holder is a visitor now, asked to sign in), and signing in again works.
    redis.stop();
    for instance in &instances {
        for uri in ["/", "/doctors", &format!("/doctors/{}", world.doctor)] {
            let (status, _, _) = instance.get(uri, None).await;
            assert_eq!(status, StatusCode::OK, "{uri} without Redis");
        }
        let (status, who) = me(instance, &before).await;
        assert_eq!((status, who.as_str()), (StatusCode::OK, "null"));
        let (status, _, body) = instance.get("/wallet", Some(&before)).await;
        assert!(
            status.is_success() || status.is_redirection(),
            "{status}: {body}"
        );
    }
    let during = instances[1].sign_in_as("ann").await;
    assert_eq!(sessions_in_postgres().await, 1);
    let (status, who) = me(&instances[0], &during).await;
    assert_eq!(status, StatusCode::OK);
    assert!(who.contains("\"ann\""), "{who}");

    // Redis is back (empty, as after a crash): the session made meanwhile still holds, and
    // moves into Redis on its next request.
    redis.resume().await;
    redis.wait_for_clients(2).await;
    let (status, who) = me(&instances[0], &during).await;
    assert_eq!(status, StatusCode::OK);
    assert!(who.contains("\"ann\""), "{who}");
    assert_eq!(sessions_in_postgres().await, 0, "moved into Redis");
    let during_id = during.trim_start_matches("clinic_session=");
    assert!(redis.keys("*").iter().any(|key| key == during_id));
    let (_, who) = me(&instances[1], &during).await;
    assert!(who.contains("\"ann\""), "{who}");
    // The pages the instances kept while Redis was away are not trusted blindly: Redis may
    // have missed changes, so its generations moved on.
    assert!(!redis.keys("clinic:gen:everything").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_an_account_ends_its_sessions_in_redis() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = world.patient("ann", "0").await;
    world.patient("bob", "0").await;
    let redis = RedisServer::start().await;
    let app = TestApp::from(http::router(&settings(&redis), db.pool.clone()));
    redis.wait_for_clients(1).await;
    let phone = app.sign_in_as("ann").await;
    let laptop = app.sign_in_as("ann@example.com").await;
    let bob = app.sign_in_as("bob").await;
    assert_eq!(redis.keys(&format!("clinic:sessions-of:{ann}")).len(), 1);

    let (status, outcome) = app
        .call(
            &phone,
            "/api/account/delete",
            format!("password={PASSWORD}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    let keys = redis.keys("*");
    for cookie in [&phone, &laptop] {
        let id = cookie.trim_start_matches("clinic_session=");
        assert!(
            !keys.iter().any(|key| key == id),
            "a session of the erased account"
        );
    }
    assert!(redis.keys(&format!("clinic:sessions-of:{ann}")).is_empty());
    let (_, who) = me(&app, &laptop).await;
    assert_eq!(who, "null");
    // Others stay signed in.
    let (_, who) = me(&app, &bob).await;
    assert!(who.contains("\"bob\""), "{who}");
}
