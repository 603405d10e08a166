//! Sessions and request rules over HTTP, through the real router: the session id changes at
//! sign-in, other sites cannot post, and "forgot password" answers the same for every address.

use axum::http::{StatusCode, header};

use app::services::accounts;

use crate::harness::{PASSWORD, TestDb, body_text, form, get, post, session_cookie};

async fn register_ann(db: &TestDb) {
    let t0 = chrono::Utc::now();
    accounts::register(&db.pool, form("ann", "ann@example.com"), t0)
        .await
        .expect("register");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_issues_a_new_session_id_and_the_old_one_dies() {
    let db = TestDb::new().await;
    register_ann(&db).await;
    let credentials = format!("identifier=ann&password={PASSWORD}");

    let first = post(&db, "/api/sign-in", &credentials, &[]).await;
    let first_id = session_cookie(&first).expect("a session cookie after sign-in");
    let flags = first
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        flags.contains("HttpOnly") && flags.contains("SameSite=Lax"),
        "{flags}"
    );

    // Signing in again from that session (or from one an attacker planted) gets a fresh id.
    let cookie = format!("clinic_session={first_id}");
    let second = post(
        &db,
        "/api/sign-in",
        &credentials,
        &[("cookie", cookie.as_str())],
    )
    .await;
    let second_id = session_cookie(&second).expect("a new session cookie");
    assert_ne!(first_id, second_id);
    let old_still_stored: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tower_sessions.session WHERE id = $1)")
            .bind(&first_id)
            .fetch_one(&db.pool)
            .await
            .expect("lookup");
    assert!(!old_still_stored, "the pre-sign-in session id is gone");

    // Signing out deletes the session.
    let cookie = format!("clinic_session={second_id}");
    post(&db, "/api/sign-out", "", &[("cookie", cookie.as_str())]).await;
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(sessions, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_from_other_sites_are_refused() {
    let db = TestDb::new().await;
    register_ann(&db).await;
    let credentials = format!("identifier=ann&password={PASSWORD}");

    let cross_site = post(
        &db,
        "/api/sign-in",
        &credentials,
        &[("sec-fetch-site", "cross-site")],
    )
    .await;
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let foreign_origin = post(
        &db,
        "/api/sign-in",
        &credentials,
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(foreign_origin.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&foreign_origin).is_none());

    let same_origin = post(
        &db,
        "/api/sign-in",
        &credentials,
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:0"),
        ],
    )
    .await;
    assert_ne!(same_origin.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&same_origin).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_answers_alike_for_known_and_unknown_addresses() {
    let db = TestDb::new().await;
    register_ann(&db).await;
    let known = post(
        &db,
        "/api/forgot-password",
        "email=ann%40example.com",
        &[("accept", "application/json")],
    )
    .await;
    let unknown = post(
        &db,
        "/api/forgot-password",
        "email=nobody%40example.com",
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(body_text(known).await, body_text(unknown).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_refuse_visitors() {
    let db = TestDb::new().await;
    let response = post(
        &db,
        "/api/profile",
        "first_name=A&last_name=B&phone=%2B442079460000",
        &[("accept", "application/json")],
    )
    .await;
    assert_ne!(response.status(), StatusCode::OK);
    assert!(body_text(response).await.contains("Unauthenticated"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_answer_with_the_status_that_means_the_same() {
    let db = TestDb::new().await;
    register_ann(&db).await;
    let json = [("accept", "application/json")];
    let wrong = post(&db, "/api/sign-in", "identifier=ann&password=wrong", &json).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let visitor = post(&db, "/api/resend-code", "", &json).await;
    assert_eq!(visitor.status(), StatusCode::UNAUTHORIZED);
    for _ in 0..4 {
        post(&db, "/api/sign-in", "identifier=ann&password=wrong", &json).await;
    }
    let paused = post(
        &db,
        "/api/sign-in",
        &format!("identifier=ann&password={PASSWORD}"),
        &json,
    )
    .await;
    assert_eq!(paused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = paused.headers()[header::RETRY_AFTER]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!(retry_after > 0 && retry_after <= 15 * 60);
}

/// Rewrites the instants stored in session `id` (seconds since the epoch), as if it had been
/// signed in at `signed_in_at` and last used at `last_seen`.
async fn age_session(db: &TestDb, id: &str, signed_in_at: i64, last_seen: i64) {
    use tower_sessions::SessionStore;
    let store = tower_sessions_sqlx_store::PostgresStore::new(db.pool.clone());
    let id: tower_sessions::session::Id = id.parse().expect("session id");
    let mut record = store.load(&id).await.expect("load").expect("stored");
    record
        .data
        .insert("signed_in_at".into(), serde_json::json!(signed_in_at));
    record
        .data
        .insert("last_seen".into(), serde_json::json!(last_seen));
    store.save(&record).await.expect("save");
}

async fn stored_last_seen(db: &TestDb, id: &str) -> Option<i64> {
    use tower_sessions::SessionStore;
    let store = tower_sessions_sqlx_store::PostgresStore::new(db.pool.clone());
    let id: tower_sessions::session::Id = id.parse().expect("session id");
    store.load(&id).await.expect("load").and_then(|record| {
        record
            .data
            .get("last_seen")
            .and_then(serde_json::Value::as_i64)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_active_session_lives_on_an_idle_one_ends_and_the_cookie_ends_with_the_browser() {
    let db = TestDb::new().await;
    register_ann(&db).await;
    let json = [("accept", "application/json")];
    let signed_in = post(
        &db,
        "/api/sign-in",
        &format!("identifier=ann&password={PASSWORD}"),
        &json,
    )
    .await;
    let set_cookie = signed_in.headers()[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_ascii_lowercase();
    assert!(
        !set_cookie.contains("max-age") && !set_cookie.contains("expires"),
        "without \"keep me signed in\" the cookie ends with the browser: {set_cookie}"
    );
    let id = session_cookie(&signed_in).expect("session");
    let cookie = format!("clinic_session={id}");
    let me = |cookie: String| {
        let db = &db;
        async move { get(db, "/api/me", Some(cookie.as_str())).await.2 }
    };

    // Signed in three hours ago (past the two-hour idle limit) but active all along.
    let now = chrono::Utc::now().timestamp();
    age_session(&db, &id, now - 3 * 3600, now - 5 * 60).await;
    assert!(me(cookie.clone()).await.contains("\"username\":\"ann\""));
    let seen = stored_last_seen(&db, &id).await.expect("still stored");
    assert!(seen >= now, "the request moved the idle clock on");

    // Idle for longer than the limit: signed out, and the session is gone.
    age_session(&db, &id, now - 3 * 3600, now - 121 * 60).await;
    assert_eq!(me(cookie).await.trim(), "null");
    assert_eq!(stored_last_seen(&db, &id).await, None);

    // "Keep me signed in": a cookie that outlives the browser.
    let remembered = post(
        &db,
        "/api/sign-in",
        &format!("identifier=ann&password={PASSWORD}&remember=on"),
        &json,
    )
    .await;
    let set_cookie = remembered.headers()[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_ascii_lowercase();
    assert!(set_cookie.contains("max-age="), "{set_cookie}");
}
