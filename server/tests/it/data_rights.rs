//! Patients' data rights: the copy of one's data holds exactly the patient's own data; deleting
//! an account (by the patient, or by an admin on request) erases the person in every table and
//! keeps the records the law requires under the anonymous id; a wrong password changes
//! nothing; doctors are refused with what to do instead; a booking racing the deletion leaves
//! no live appointment; the invariants hold throughout.

use axum::http::{StatusCode, header};
use chrono::{Duration, Utc};
use serde_json::Value;

use app::domain::erasure::Payout;
use app::domain::{Money, UserRole};
use app::services::gateway::SandboxGateway;
use app::services::{accounts, booking, erasure, users};

use crate::harness::{
    PASSWORD, TestApp, TestDb, World, account, assert_invariants, confirmed, count, fingerprint,
    form, key, money, settings,
};

/// A completed visit of `patient` three days ago, with notes, reviewed by the patient.
async fn reviewed_visit(world: &World<'_>, patient: i64, notes: &str, comment: &str) -> i64 {
    let pool = &world.db.pool;
    let slot: i64 = sqlx::query_scalar(
        "INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
         VALUES ($1, current_date - 3, time '08:00' + $2 * interval '1 hour',
                 time '08:30' + $2 * interval '1 hour', FALSE, $3) RETURNING id",
    )
    .bind(world.doctor)
    .bind(patient % 8)
    .bind(world.doctor_user)
    .fetch_one(pool)
    .await
    .expect("past slot");
    let visit: i64 = sqlx::query_scalar(
        "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee, notes)
         VALUES ($1, $2, $3, 'completed', 0, $4) RETURNING id",
    )
    .bind(patient)
    .bind(world.doctor)
    .bind(slot)
    .bind(notes)
    .fetch_one(pool)
    .await
    .expect("visit");
    sqlx::query(
        "INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating, comment)
         VALUES ($1, $2, $3, 5, $4)",
    )
    .bind(visit)
    .bind(patient)
    .bind(world.doctor)
    .bind(comment)
    .execute(pool)
    .await
    .expect("review");
    visit
}

/// A patient with a wallet, a future confirmed booking with notes, and a reviewed past visit.
struct Patient {
    id: i64,
    future: i64,
    future_slot: i64,
    visit: i64,
}

async fn patient(world: &World<'_>, username: &str, days: i64, balance: &str) -> Patient {
    let id = world.patient(username, balance).await;
    let future_slot = world.slot(days, 10).await;
    let future = confirmed(
        booking::book(
            &world.db.pool,
            &settings(),
            id,
            future_slot,
            &format!("{username}'s sore knee"),
            &key(),
            Utc::now(),
        )
        .await,
    );
    let visit = reviewed_visit(
        world,
        id,
        &format!("{username}'s follow-up"),
        &format!("{username} says thanks"),
    )
    .await;
    Patient {
        id,
        future,
        future_slot,
        visit,
    }
}

/// How many rows of any table of the public schema (and of the session store) mention `text`.
async fn mentions(db: &TestDb, text: &str) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables
          WHERE table_schema IN ('public', 'tower_sessions') AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&db.pool)
    .await
    .expect("tables");
    let mut found = Vec::new();
    for table in tables {
        let sql = format!("SELECT count(*) FROM {table} t WHERE t::text ILIKE '%' || $1 || '%'");
        let n: i64 = sqlx::query_scalar(&sql)
            .bind(text)
            .fetch_one(&db.pool)
            .await
            .expect("search");
        if n > 0 {
            found.push(format!("{table}: {n}"));
        }
    }
    found
}

/// Who `cookie`'s session is signed in as (`null`: nobody), asked as the page header asks.
async fn me(app: &TestApp, cookie: &str) -> Value {
    let (status, _, body) = app.get("/api/me", Some(cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

/// An amount of money in a server function's answer.
fn amount(value: &Value) -> Money {
    money(
        value
            .as_str()
            .unwrap_or_else(|| panic!("an amount: {value}")),
    )
}

async fn scalar(db: &TestDb, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap_or_else(|err| panic!("{err}: {sql}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_copy_of_ones_data_holds_exactly_ones_own() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = patient(&world, "ann", 10, "200").await;
    let bob = patient(&world, "bob", 11, "300").await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("ann").await;

    let (status, headers, body) = app.get("/profile/my-data.json", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let disposition = headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii");
    assert!(
        disposition.starts_with("attachment; filename=\"my-clinic-data-")
            && disposition.ends_with(".json\""),
        "{disposition}"
    );
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("application/json")
    );
    let data: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(data["account"]["id"], ann.id);
    assert_eq!(data["account"]["username"], "ann");
    assert_eq!(data["account"]["email"], "ann@example.com");
    let ids = |section: &str, field: &str| -> Vec<i64> {
        data[section]
            .as_array()
            .unwrap_or_else(|| panic!("{section} is a list"))
            .iter()
            .map(|row| row[field].as_i64().expect("an id"))
            .collect()
    };
    assert_eq!(ids("appointments", "id"), vec![ann.future, ann.visit]);
    assert_eq!(ids("payments", "appointment_id"), vec![ann.future]);
    assert_eq!(ids("reviews", "appointment_id"), vec![ann.visit]);
    // The top-up and the booking's payment.
    assert_eq!(
        data["wallet_transactions"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(data["appointments"][0]["notes"], "ann's sore knee");
    assert_eq!(data["appointments"][0]["doctor"], "Dr. Jo Heart");
    assert_eq!(data["reviews"][0]["comment"], "ann says thanks");
    // The verification code and its email (metadata only: no code, no hash).
    assert_eq!(data["one_time_codes"].as_array().map(Vec::len), Some(1));
    assert!(!body.contains("$argon2"), "no hash is exported");
    assert_eq!(data["emails"][0]["to_address"], "ann@example.com");
    let audit = data["audit_log"].as_array().expect("audit entries");
    assert!(
        audit.iter().any(|e| e["action"] == "appointment.book"
            && e["target_id"] == ann.future
            && e["by"] == "you"),
        "{audit:?}"
    );
    // Nothing of Bob's.
    for bobs in ["bob", "bob@example.com"] {
        assert!(!body.contains(bobs), "the export mentions {bobs}");
    }
    assert!(!ids("appointments", "id").contains(&bob.future));

    // Only patients have this copy; a visitor is asked to sign in.
    let doctor = account(&db, "doctora", UserRole::Doctor).await;
    let doctor_cookie = app.sign_in_as("doctora").await;
    let (status, _, _) = app.get("/profile/my-data.json", Some(&doctor_cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "doctor {doctor}");
    let (status, _, _) = app.get("/profile/my-data.json", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_ones_account_erases_the_person_and_keeps_the_records() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = patient(&world, "ann", 10, "200").await;
    let bob = patient(&world, "bob", 11, "300").await;
    // A name and phone of her own (the builders give everyone the same).
    let phone = "+442079460777";
    sqlx::query(
        "UPDATE users SET first_name = 'Annabel', last_name = 'Quist', phone_number = $2
          WHERE id = $1",
    )
    .bind(ann.id)
    .bind(phone)
    .execute(&db.pool)
    .await
    .expect("details");
    let app = TestApp::new(&db);
    // Two sessions (two devices), and a failed sign-in on the account.
    let cookie = app.sign_in_as("ann").await;
    let other_device = app.sign_in_as("ann@example.com").await;
    let wrong = app
        .post("/api/sign-in", "identifier=ann&password=not-it-at-all", &[])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bob_cookie = app.sign_in_as("bob").await;
    let ledger_before = scalar(
        &db,
        "SELECT count(*) FROM wallet_transactions WHERE user_id = $1",
        ann.id,
    )
    .await;

    let (status, outcome) = app
        .call(
            &cookie,
            "/api/account/delete",
            format!("password={PASSWORD}&card_number=4242424242424242&expiry=12%2F39&cvc=123"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    // 200.00 topped up, 80.00 paid, refunded in full 10 days ahead, all 200.00 sent to the card.
    assert_eq!(outcome["reference"], ann.id);
    assert_eq!(outcome["cancelled"], 1);
    assert_eq!(amount(&outcome["refunded"]), money("80"), "{outcome}");
    assert_eq!(outcome["payout"]["Sent"]["card_last4"], "4242", "{outcome}");
    assert_eq!(amount(&outcome["owed"]), Money::ZERO);

    // users: the row stays, anonymous and closed.
    let (username, email, first, last, phone_now, active, erased): (
        String,
        String,
        String,
        String,
        String,
        bool,
        bool,
    ) = sqlx::query_as(
        "SELECT username, email, first_name, last_name, phone_number, is_active,
                erased_at IS NOT NULL FROM users WHERE id = $1",
    )
    .bind(ann.id)
    .fetch_one(&db.pool)
    .await
    .expect("the row stays");
    assert_eq!(username, format!("erased-{}", ann.id));
    assert_eq!(email, format!("erased-{}@erased.invalid", ann.id));
    assert_eq!(
        (first.as_str(), last.as_str(), phone_now.as_str()),
        ("", "", "")
    );
    assert!(!active && erased);
    // Nothing anywhere mentions her address, phone, username, notes or cancellation reasons.
    for text in [
        "ann@example.com",
        phone,
        "Annabel",
        "Quist",
        "ann's",
        "\"ann\"",
    ] {
        assert_eq!(mentions(&db, text).await, Vec::<String>::new(), "{text}");
    }
    // Bob is untouched.
    assert!(!mentions(&db, "bob@example.com").await.is_empty());
    assert!(!mentions(&db, "bob's sore knee").await.is_empty());

    // Appointments: the future one cancelled (slot free again), the visit kept; notes erased.
    let statuses: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, status, notes FROM appointments WHERE patient_id = $1 ORDER BY id",
    )
    .bind(ann.id)
    .fetch_all(&db.pool)
    .await
    .expect("appointments");
    assert_eq!(
        statuses,
        vec![
            (ann.future, "cancelled".to_owned(), String::new()),
            (ann.visit, "completed".to_owned(), String::new()),
        ]
    );
    assert!(world.slot_free(ann.future_slot).await);
    // Payments and the ledger stay, tied to the anonymous id: the refund and the payout added.
    assert_eq!(
        world.status(ann.future).await,
        ("cancelled".to_owned(), Some("refunded".to_owned()))
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM wallet_transactions WHERE user_id = $1",
            ann.id
        )
        .await,
        ledger_before + 2
    );
    assert_eq!(world.ledger_rows(ann.id, "withdrawal").await, 1);
    assert_eq!(world.balance(ann.id).await, Money::ZERO);
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM gateway_operations WHERE user_id = $1 AND status = 'succeeded'",
            ann.id
        )
        .await,
        1
    );
    // Reviews stay, anonymous.
    let (reviews, anonymous): (i64, bool) = sqlx::query_as(
        "SELECT count(*), bool_and(is_anonymous) FROM reviews WHERE patient_id = $1",
    )
    .bind(ann.id)
    .fetch_one(&db.pool)
    .await
    .expect("reviews");
    assert_eq!((reviews, anonymous), (1, true));
    // Codes, mail, sign-in failures and sessions are gone; Bob's session is not.
    for (sql, left) in [
        (
            "SELECT count(*) FROM otp_verifications WHERE user_id = $1",
            0,
        ),
        (
            "SELECT count(*) FROM sign_in_failures WHERE account_key = 'user:' || $1::bigint",
            0,
        ),
        // Only the payout's own key, made after the erasure.
        (
            "SELECT count(*) FROM idempotency_keys WHERE user_id = $1",
            1,
        ),
    ] {
        assert_eq!(scalar(&db, sql, ann.id).await, left, "{sql}");
    }
    for (session, exists) in [
        (&cookie, false),
        (&other_device, false),
        (&bob_cookie, true),
    ] {
        let id = session.trim_start_matches("clinic_session=");
        let stored: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM tower_sessions.session WHERE id = $1)",
        )
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .expect("session");
        assert_eq!(stored, exists, "session {id}");
    }
    assert_eq!(
        me(&app, &other_device).await,
        Value::Null,
        "the other device is signed out"
    );

    // The audit log records the erasure, by the patient, without personal data.
    let (actor, after): (Option<i64>, Value) = sqlx::query_as(
        "SELECT actor_id, after FROM audit_log
          WHERE action = 'user.erase' AND target_type = 'user' AND target_id = $1",
    )
    .bind(ann.id)
    .fetch_one(&db.pool)
    .await
    .expect("one erasure entry");
    assert_eq!(actor, Some(ann.id));
    assert_eq!(after["requested_by"], "patient");
    assert_eq!(after["cancelled_appointments"], 1);

    // She can no longer sign in, by name or address; the address registers afresh.
    for identifier in ["ann", "ann@example.com", &format!("erased-{}", ann.id)] {
        let refused = app
            .post(
                "/api/sign-in",
                &format!("identifier={identifier}&password={PASSWORD}"),
                &[],
            )
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{identifier}"
        );
    }
    let again = accounts::register(&db.pool, form("ann", "ann@example.com"), Utc::now())
        .await
        .expect("registers again");
    assert_ne!(again.id, ann.id);
    // The admin cannot bring the erased account back.
    let admin = account(&db, "root2", UserRole::Admin).await;
    assert!(
        users::set_active(&db.pool, admin, ann.id, true)
            .await
            .is_err()
    );
    let _ = bob;
    assert_invariants(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_or_a_half_typed_card_changes_nothing() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = patient(&world, "ann", 10, "200").await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("ann").await;
    let before = fingerprint(&db).await;
    for body in [
        "password=not-my-password-1".to_owned(),
        String::new(),
        format!("password={PASSWORD}&card_number=4242424242424242"),
    ] {
        let (status, answer) = app.call(&cookie, "/api/account/delete", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
    }
    let after = fingerprint(&db).await;
    assert_eq!(
        before.forbidden_changes(&after, "/api/account/delete"),
        Vec::<String>::new()
    );
    assert_eq!(me(&app, &cookie).await["id"], ann.id, "still signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_deletes_a_patient_on_request_and_the_balance_is_owed() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = patient(&world, "ann", 10, "200").await;
    let admin = account(&db, "boss", UserRole::Admin).await;
    let app = TestApp::new(&db);
    let admin_cookie = app.sign_in_as("boss").await;
    let ann_cookie = app.sign_in_as("ann").await;

    // A patient cannot erase anyone; the admin needs their own password.
    let (status, _) = app
        .call(
            &ann_cookie,
            "/api/admin/erase-user",
            format!("id={}&password={PASSWORD}", world.doctor_user),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(
            &admin_cookie,
            "/api/admin/erase-user",
            format!("id={}&password=wrong-password-9", ann.id),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A doctor's account is refused, saying to deactivate it instead.
    let (status, answer) = app
        .call(
            &admin_cookie,
            "/api/admin/erase-user",
            format!("id={}&password={PASSWORD}", world.doctor_user),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        answer.to_string().contains("deactivate it instead"),
        "{answer}"
    );

    let (status, outcome) = app
        .call(
            &admin_cookie,
            "/api/admin/erase-user",
            format!("id={}&password={PASSWORD}", ann.id),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    // The clinic's cancellation refunds in full; no card, so all of it is owed.
    assert_eq!(outcome["payout"], "NoCard");
    assert_eq!(amount(&outcome["owed"]), money("200"));
    assert_eq!(world.balance(ann.id).await, money("200"));
    let actor: Option<i64> = sqlx::query_scalar(
        "SELECT actor_id FROM audit_log WHERE action = 'user.erase' AND target_id = $1",
    )
    .bind(ann.id)
    .fetch_one(&db.pool)
    .await
    .expect("erasure entry");
    assert_eq!(actor, Some(admin), "the audit log names the admin");
    let cancelled_by: Option<i64> =
        sqlx::query_scalar("SELECT cancelled_by FROM appointments WHERE id = $1")
            .bind(ann.future)
            .fetch_one(&db.pool)
            .await
            .expect("appointment");
    assert_eq!(cancelled_by, Some(admin));
    // The admin's list shows the account as deleted, with what is owed.
    let page = users::list(
        &db.pool,
        &app::domain::admin::UserQuery::parse(&app::domain::admin::UserParams {
            q: "erased-".to_owned(),
            ..Default::default()
        })
        .expect("query"),
    )
    .await
    .expect("list");
    let row = page.users.iter().find(|u| u.id == ann.id).expect("listed");
    assert!(row.erased_at.is_some());
    assert_eq!(row.wallet_balance, money("200"));
    // Her session ended; a second request to erase her is a clear refusal.
    assert_eq!(me(&app, &ann_cookie).await, Value::Null);
    let (status, _) = app
        .call(
            &admin_cookie,
            "/api/admin/erase-user",
            format!("id={}&password={PASSWORD}", ann.id),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_invariants(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_payout_keeps_the_balance_as_owed_and_doctors_are_told_to_deactivate() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = world.patient("ann", "55.50").await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("ann").await;
    let (status, outcome) = app
        .call(
            &cookie,
            "/api/account/delete",
            format!("password={PASSWORD}&card_number=4000000000000002&expiry=12%2F39&cvc=123"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert!(
        outcome["payout"]["Failed"]["message"].is_string(),
        "{outcome}"
    );
    assert_eq!(amount(&outcome["owed"]), money("55.50"));
    assert_eq!(world.balance(ann).await, money("55.50"));
    assert_invariants(&db).await;

    // A doctor's own request is refused with what to do instead; nothing changes.
    let doctor = account(&db, "drwho", UserRole::Doctor).await;
    let doctor_cookie = app.sign_in_as("drwho").await;
    let (status, answer) = app
        .call(
            &doctor_cookie,
            "/api/account/delete",
            format!("password={PASSWORD}"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(answer.to_string().contains("deactivate"), "{answer}");
    let erased: bool = sqlx::query_scalar("SELECT erased_at IS NOT NULL FROM users WHERE id = $1")
        .bind(doctor)
        .fetch_one(&db.pool)
        .await
        .expect("doctor");
    assert!(!erased);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookings_racing_the_deletion_leave_no_live_appointment_and_lose_no_money() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = world.patient("ann", "1000").await;
    let mut slots = Vec::new();
    for day in 3..9 {
        slots.push(world.slot(day, 9).await);
    }
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(slots.len() + 1));
    let mut tasks = Vec::new();
    for slot in slots {
        let (pool, start) = (db.pool.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            booking::book(&pool, &settings(), ann, slot, "", &key(), Utc::now()).await
        }));
    }
    let (pool, start_erase) = (db.pool.clone(), start.clone());
    let erased = tokio::spawn(async move {
        start_erase.wait().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        erasure::erase(
            &pool,
            &settings(),
            &SandboxGateway::default(),
            ann,
            erasure::ErasedBy::Patient,
            None,
            Utc::now(),
        )
        .await
    });
    for task in tasks {
        // Each booking either went through before the erasure (and was then cancelled) or was
        // refused; none is left live.
        let _ = task.await.expect("task");
    }
    let outcome = erased.await.expect("task").expect("erased");
    assert_eq!(outcome.payout, Payout::NoCard);
    let live = count(
        &db.pool,
        &format!(
            "SELECT count(*) FROM appointments WHERE patient_id = {ann} AND status IN ('pending', 'confirmed')"
        ),
    )
    .await;
    assert_eq!(live, 0);
    // Every booking that was charged was refunded in full (more than 24 hours ahead).
    assert_eq!(world.balance(ann).await, money("1000"));
    assert_eq!(outcome.owed, money("1000"));
    // After the erasure, a booking is refused by the database itself.
    let late = world.slot(12, 9).await;
    assert!(
        booking::book(
            &db.pool,
            &settings(),
            ann,
            late,
            "",
            &key(),
            Utc::now() + Duration::seconds(1)
        )
        .await
        .is_err()
    );
    assert_invariants(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_deletion_lands_signed_out_on_a_page_that_says_so() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    world.patient("ann", "20").await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("ann").await;
    // The profile offers both, in plain HTML: a download link and a form with a password.
    let (status, _, profile) = app.get("/profile", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        profile.contains("href=\"/profile/my-data.json\""),
        "no download link"
    );
    assert!(
        profile.contains("action=\"/api/account/delete\""),
        "no deletion form"
    );
    assert!(
        profile.contains("id=\"delete-account-password\""),
        "no password field"
    );

    let response = app
        .post(
            "/api/account/delete",
            &format!("password={PASSWORD}"),
            &[
                (header::COOKIE.as_str(), cookie.as_str()),
                (header::ACCEPT.as_str(), "text/html,application/xhtml+xml"),
                (header::REFERER.as_str(), "http://localhost/profile"),
            ],
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()[header::LOCATION], "/account-deleted");
    let visitor = crate::harness::session_cookie(&response)
        .map(|id| format!("clinic_session={id}"))
        .expect("a visitor's session carries the notice");
    assert_ne!(visitor, cookie);
    let (status, _, page) = app.get("/account-deleted", Some(&visitor)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Your account has been deleted"), "{page}");
    assert!(
        page.contains("quote reference"),
        "the notice names the reference: {page}"
    );
    assert!(page.contains(">Sign in</a>"), "signed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_keeps_an_erased_account_anonymous_and_the_audit_log_redacted_only() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = patient(&world, "ann", 10, "200").await;
    erasure::erase(
        &db.pool,
        &settings(),
        &SandboxGateway::default(),
        ann.id,
        erasure::ErasedBy::Patient,
        None,
        Utc::now(),
    )
    .await
    .expect("erased");
    // No personal data goes back into the row, and it cannot be reactivated.
    for change in [
        "UPDATE users SET first_name = 'Ann' WHERE id = $1",
        "UPDATE users SET email = 'ann@example.com' WHERE id = $1",
        "UPDATE users SET is_active = TRUE WHERE id = $1",
    ] {
        let refused = sqlx::query(change).bind(ann.id).execute(&db.pool).await;
        assert!(refused.is_err(), "{change} was let through");
    }
    // The audit log takes a redaction and nothing else.
    let entry: i64 = sqlx::query_scalar(
        "SELECT id FROM audit_log WHERE action = 'user.erase' AND target_id = $1",
    )
    .bind(ann.id)
    .fetch_one(&db.pool)
    .await
    .expect("entry");
    for change in [
        "UPDATE audit_log SET action = 'user.other' WHERE id = $1",
        "UPDATE audit_log SET after = jsonb_set(after, '{refunded}', '\"1.00\"') WHERE id = $1",
        "UPDATE audit_log SET after = after - 'refunded' WHERE id = $1",
        "DELETE FROM audit_log WHERE id = $1",
    ] {
        let refused = sqlx::query(change).bind(entry).execute(&db.pool).await;
        assert!(refused.is_err(), "{change} was let through");
    }
    sqlx::query(
        "UPDATE audit_log SET after = jsonb_set(after, '{refunded}', '\"[erased]\"') WHERE id = $1",
    )
    .bind(entry)
    .execute(&db.pool)
    .await
    .expect("a redaction is let through");
    // Nor can an appointment be booked for the erased patient, even bypassing the service.
    let slot = world.slot(14, 9).await;
    let refused = sqlx::query(
        "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
         VALUES ($1, $2, $3, 'confirmed', 0)",
    )
    .bind(ann.id)
    .bind(world.doctor)
    .bind(slot)
    .execute(&db.pool)
    .await;
    assert!(refused.is_err(), "an appointment for an erased patient");
}
