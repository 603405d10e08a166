//! The admin's users list (search, filters, pages, CSV download) and deactivation: a deactivated
//! account cannot sign in and its sessions end at once; an admin cannot deactivate themself.

use axum::http::{StatusCode, header};

use app::domain::UserRole;
use app::domain::admin::{UserParams, UserQuery};
use app::services::users;

use crate::harness::{PASSWORD, TestDb, account, body_text, config, get, post, sign_in};

fn query(search: &str, role: &str, status: &str, page: &str) -> UserQuery {
    UserQuery::parse(&UserParams {
        q: search.into(),
        role: role.into(),
        status: status.into(),
        page: page.into(),
    })
    .expect("valid query")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_searches_filters_and_pages() {
    let db = TestDb::new().await;
    for n in 0..27 {
        account(&db, &format!("patient{n:02}"), UserRole::Patient).await;
    }
    let doctor = account(&db, "drwho", UserRole::Doctor).await;
    account(&db, "boss", UserRole::Admin).await;
    sqlx::query("UPDATE users SET first_name = 'Zelda', is_active = FALSE WHERE id = $1")
        .bind(doctor)
        .execute(&db.pool)
        .await
        .expect("rename");

    let all = users::list(&db.pool, &query("", "", "", ""))
        .await
        .expect("list");
    assert_eq!((all.matching, all.pages, all.users.len()), (29, 2, 25));
    let second = users::list(&db.pool, &query("", "", "", "2"))
        .await
        .expect("page 2");
    assert_eq!(second.users.len(), 4);
    assert!(
        second.users.iter().all(|u| !all.users.contains(u)),
        "pages do not overlap"
    );

    let patients = users::list(&db.pool, &query("", "patient", "", ""))
        .await
        .expect("patients");
    assert_eq!(patients.matching, 27);
    assert!(patients.users.iter().all(|u| u.role == UserRole::Patient));

    // By first name, by email, by status; a LIKE wildcard matches only itself.
    let zelda = users::list(&db.pool, &query("zel", "", "", ""))
        .await
        .expect("name");
    assert_eq!(
        zelda.users.iter().map(|u| u.id).collect::<Vec<_>>(),
        [doctor]
    );
    let by_email = users::list(&db.pool, &query("patient07@EXAMPLE", "", "", ""))
        .await
        .expect("email");
    assert_eq!(by_email.matching, 1);
    let inactive = users::list(&db.pool, &query("", "", "inactive", ""))
        .await
        .expect("inactive");
    assert_eq!(
        inactive.users.iter().map(|u| u.id).collect::<Vec<_>>(),
        [doctor]
    );
    let active_doctors = users::list(&db.pool, &query("", "doctor", "active", ""))
        .await
        .expect("active doctors");
    assert_eq!(active_doctors.matching, 0);
    let wildcard = users::list(&db.pool, &query("%", "", "", ""))
        .await
        .expect("%");
    assert_eq!(wildcard.matching, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_download_holds_every_match_and_is_for_admins_only() {
    let db = TestDb::new().await;
    for n in 0..30 {
        account(&db, &format!("patient{n:02}"), UserRole::Patient).await;
    }
    account(&db, "drwho", UserRole::Doctor).await;
    account(&db, "boss", UserRole::Admin).await;
    sqlx::query("UPDATE users SET last_name = 'Lee, \"Junior\"' WHERE username = 'patient03'")
        .execute(&db.pool)
        .await
        .expect("rename");

    let (status, _, text) = get(&db, "/admin/users.csv", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    let patient = sign_in(&db, "patient01").await;
    let (status, _, _) = get(&db, "/admin/users.csv", Some(&patient)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let admin = sign_in(&db, "boss").await;
    let (status, headers, csv) = get(&db, "/admin/users.csv?role=patient", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    let disposition = headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"users-"),
        "{disposition}"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,username,email,first_name,last_name,role,active,email_verified,created_at,last_login"
    );
    // All 30 patients, though the list shows 25 a page; nobody else.
    assert_eq!(lines.len(), 31);
    assert!(lines[1..].iter().all(|line| line.contains(",patient,")));
    assert!(csv.contains("patient03@example.com,Ann,\"Lee, \"\"Junior\"\"\",patient"));

    let (status, _, text) = get(&db, "/admin/users.csv?role=wizard", Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("Choose patients, doctors, admins or everyone"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_account_is_signed_out_everywhere_and_cannot_sign_in() {
    let db = TestDb::new().await;
    let ann = account(&db, "ann", UserRole::Patient).await;
    let boss = account(&db, "boss", UserRole::Admin).await;
    // Ann is signed in on two devices.
    let phone = sign_in(&db, "ann").await;
    let laptop = sign_in(&db, "ann").await;
    let me = |cookie: String| {
        let db = &db;
        async move { get(db, "/api/me", Some(cookie.as_str())).await.2 }
    };
    assert!(me(phone.clone()).await.contains("\"username\":\"ann\""));

    let admin = sign_in(&db, "boss").await;
    let deactivate = format!("id={ann}&active=false");
    let done = post(
        &db,
        "/api/admin/set-user-active",
        &deactivate,
        &[("cookie", admin.as_str())],
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);

    // Both sessions end at their very next request.
    assert_eq!(me(phone.clone()).await, "null");
    assert_eq!(me(laptop.clone()).await, "null");
    let refused = post(
        &db,
        "/api/sign-in",
        &format!("identifier=ann&password={PASSWORD}"),
        &[],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body_text(refused)
            .await
            .contains("This account has been deactivated")
    );
    let listed = users::list(&db.pool, &query("ann", "", "inactive", ""))
        .await
        .expect("list");
    assert_eq!(listed.matching, 1);

    // Reactivated, Ann signs in again; the old sessions stay ended.
    let reactivate = format!("id={ann}&active=true");
    let done = post(
        &db,
        "/api/admin/set-user-active",
        &reactivate,
        &[("cookie", admin.as_str())],
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(me(laptop).await, "null");
    let fresh = sign_in(&db, "ann").await;
    assert!(me(fresh).await.contains("\"username\":\"ann\""));

    // An admin cannot deactivate themself, and nothing changes when they try.
    let own = post(
        &db,
        "/api/admin/set-user-active",
        &format!("id={boss}&active=false"),
        &[("cookie", admin.as_str())],
    )
    .await;
    assert_eq!(own.status(), StatusCode::CONFLICT);
    assert!(
        body_text(own)
            .await
            .contains("cannot deactivate your own account")
    );
    assert!(me(admin.clone()).await.contains("\"username\":\"boss\""));
    let unknown = post(
        &db,
        "/api/admin/set-user-active",
        "id=999999&active=false",
        &[("cookie", admin.as_str())],
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // Each change is in the audit log, by the admin, with the state before and after.
    let rows: Vec<(i64, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT actor_id, action, target_type, target_id, before::text, after::text
           FROM audit_log ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("audit");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0].0, rows[0].1.as_str(), rows[0].2.as_str(), rows[0].3),
        (boss, "user.deactivate", "user", ann)
    );
    assert!(
        rows[0].4.contains("\"is_active\": true") && rows[0].5.contains("\"is_active\": false")
    );
    assert_eq!(rows[1].1, "user.reactivate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_doctor_account_leaves_the_directory() {
    let db = TestDb::new().await;
    let boss = account(&db, "boss", UserRole::Admin).await;
    let user = account(&db, "drwho", UserRole::Doctor).await;
    let doctor: i64 = sqlx::query_scalar(
        "WITH s AS (INSERT INTO specialties (name) VALUES ('Cardiology') RETURNING id)
         INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio,
                              consultation_fee, created_by)
         SELECT $1, s.id, 'L-1', 3, '', 50, $2 FROM s RETURNING id",
    )
    .bind(user)
    .bind(boss)
    .fetch_one(&db.pool)
    .await
    .expect("doctor");
    let settings = config().clinic_settings();
    let everyone = app::domain::directory::DirectoryQuery::parse(
        &Default::default(),
        settings.slot_horizon_days,
    )
    .expect("query");
    let listed = |db: &TestDb| {
        let (settings, everyone) = (&settings, &everyone);
        let pool = db.pool.clone();
        async move {
            app::services::directory::search(&pool, settings, everyone)
                .await
                .expect("search")
                .doctors
                .len()
        }
    };
    assert_eq!(listed(&db).await, 1);

    users::set_active(&db.pool, boss, user, false)
        .await
        .expect("deactivate");
    assert_eq!(
        listed(&db).await,
        0,
        "out of the directory, so out of booking"
    );
    let actions: Vec<(String, i64)> =
        sqlx::query_as("SELECT action, target_id FROM audit_log ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .expect("audit");
    assert_eq!(
        actions,
        [
            ("user.deactivate".to_owned(), user),
            ("doctor.deactivate".to_owned(), doctor)
        ]
    );

    // The account comes back; the profile waits for the admin.
    users::set_active(&db.pool, boss, user, true)
        .await
        .expect("reactivate");
    assert_eq!(listed(&db).await, 0);
}
