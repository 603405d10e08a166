//! The audit log: every admin action writes one row in its own transaction (a refused action
//! writes none), the table refuses UPDATE and DELETE, and admins filter and download it.

use axum::http::StatusCode;
use chrono::Utc;

use app::domain::admin::{AuditParams, AuditQuery};
use app::domain::{DoctorDetails, DoctorForm, SpecialtyDetails, UserRole};
use app::services::{audit, doctor_records, reviews, specialties};

use crate::harness::{TestDb, account, config, get, sign_in};

fn specialty(name: &str) -> SpecialtyDetails {
    SpecialtyDetails::parse(name, "About it.").expect("valid specialty")
}

fn doctor(email: &str, license: &str, specialty: i64) -> DoctorDetails {
    DoctorDetails::parse(&DoctorForm {
        first_name: "Maya".into(),
        last_name: "Okafor".into(),
        email: email.into(),
        phone: String::new(),
        specialty: specialty.to_string(),
        license_number: license.into(),
        experience_years: "12".into(),
        bio: "Heart rhythm specialist.".into(),
        consultation_fee: "120.00".into(),
    })
    .expect("valid doctor")
}

type Row = (
    Option<i64>,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
);

async fn rows(db: &TestDb) -> Vec<Row> {
    sqlx::query_as(
        "SELECT actor_id, action, target_type, target_id, before::text, after::text
           FROM audit_log ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("audit rows")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_action_is_recorded_with_before_and_after() {
    let db = TestDb::new().await;
    let admin = account(&db, "boss", UserRole::Admin).await;
    let settings = config().clinic_settings();

    let cardio = specialties::create(&db.pool, admin, &specialty("Cardiology"))
        .await
        .expect("create");
    specialties::update(&db.pool, admin, cardio, &specialty("Heart"))
        .await
        .expect("update");
    // Refused actions change nothing and record nothing.
    specialties::create(&db.pool, admin, &specialty("HEART"))
        .await
        .expect_err("duplicate");
    let spare = specialties::create(&db.pool, admin, &specialty("Spare"))
        .await
        .expect("create");
    specialties::delete(&db.pool, admin, spare)
        .await
        .expect("delete");

    let maya = doctor_records::onboard(
        &db.pool,
        &settings,
        admin,
        &doctor("maya@clinic.example", "MD-1", cardio),
        Utc::now(),
    )
    .await
    .expect("onboard");
    doctor_records::onboard(
        &db.pool,
        &settings,
        admin,
        &doctor("other@clinic.example", "MD-1", cardio),
        Utc::now(),
    )
    .await
    .expect_err("same license");
    doctor_records::update(
        &db.pool,
        admin,
        maya,
        &doctor("maya@clinic.example", "MD-2", cardio),
    )
    .await
    .expect("update");
    doctor_records::set_active(&db.pool, admin, maya, false)
        .await
        .expect("deactivate");
    // Already inactive: nothing changes, nothing is recorded.
    doctor_records::set_active(&db.pool, admin, maya, false)
        .await
        .expect("again");
    doctor_records::set_active(&db.pool, admin, maya, true)
        .await
        .expect("activate");
    doctor_records::resend_invitation(&db.pool, &settings, admin, maya, Utc::now())
        .await
        .expect("resend");

    // A review to hide and show again.
    let patient = account(&db, "ann", UserRole::Patient).await;
    let review: i64 = sqlx::query_scalar(
        "WITH slot AS (
             INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
             VALUES ($1, current_date - 2, '09:00', '09:30', FALSE, $3) RETURNING id),
         visit AS (
             INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
             SELECT $2, $1, id, 'completed', 120 FROM slot RETURNING id)
         INSERT INTO reviews (appointment_id, patient_id, doctor_id, rating, comment)
         SELECT id, $2, $1, 1, 'Rude words' FROM visit RETURNING id",
    )
    .bind(maya)
    .bind(patient)
    .bind(admin)
    .fetch_one(&db.pool)
    .await
    .expect("review");
    reviews::hide(&db.pool, admin, review, "Abusive language", Utc::now())
        .await
        .expect("hide");
    reviews::restore(&db.pool, admin, review)
        .await
        .expect("restore");
    reviews::restore(&db.pool, admin, review)
        .await
        .expect_err("not hidden");

    let rows = rows(&db).await;
    let actions: Vec<&str> = rows.iter().map(|row| row.1.as_str()).collect();
    assert_eq!(
        actions,
        [
            "specialty.create",
            "specialty.update",
            "specialty.create",
            "specialty.delete",
            "doctor.onboard",
            "doctor.update",
            "doctor.deactivate",
            "doctor.activate",
            "doctor.resend_invitation",
            "review.hide",
            "review.unhide",
        ]
    );
    assert!(rows.iter().all(|row| row.0 == Some(admin)));
    let (_, _, kind, id, before, after) = &rows[1];
    assert_eq!((kind.as_str(), *id), ("specialty", Some(cardio)));
    assert!(
        before
            .as_deref()
            .is_some_and(|b| b.contains("\"Cardiology\""))
    );
    assert!(after.as_deref().is_some_and(|a| a.contains("\"Heart\"")));
    let (_, _, _, _, before, after) = &rows[3];
    assert!(before.as_deref().is_some_and(|b| b.contains("\"Spare\"")) && after.is_none());
    let (_, _, kind, id, before, after) = &rows[5];
    assert_eq!((kind.as_str(), *id), ("doctor", Some(maya)));
    assert!(
        before.as_deref().is_some_and(|b| b.contains("\"MD-1\"")),
        "{before:?}"
    );
    assert!(
        after.as_deref().is_some_and(|a| a.contains("\"MD-2\"")),
        "{after:?}"
    );
    assert!(
        rows[9]
            .5
            .as_deref()
            .is_some_and(|a| a.contains("Abusive language"))
    );
    assert!(
        rows[10]
            .4
            .as_deref()
            .is_some_and(|b| b.contains("Abusive language"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_refuses_changes_and_removals() {
    let db = TestDb::new().await;
    let admin = account(&db, "boss", UserRole::Admin).await;
    specialties::create(&db.pool, admin, &specialty("Cardiology"))
        .await
        .expect("create");
    for statement in [
        "UPDATE audit_log SET action = 'specialty.nothing'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(statement)
            .execute(&db.pool)
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    let kept = rows(&db).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1, "specialty.create");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_filter_page_and_download_the_log() {
    let db = TestDb::new().await;
    let boss = account(&db, "boss", UserRole::Admin).await;
    let deputy = account(&db, "deputy", UserRole::Admin).await;
    let settings = config().clinic_settings();
    let mut ids = Vec::new();
    for n in 0..55 {
        ids.push(
            specialties::create(&db.pool, boss, &specialty(&format!("Specialty {n}")))
                .await
                .expect("create"),
        );
    }
    specialties::update(&db.pool, deputy, ids[0], &specialty("Renamed"))
        .await
        .expect("update");

    let query = |actor: &str, action: &str, from: &str, page: &str| {
        AuditQuery::parse(&AuditParams {
            actor: actor.into(),
            action: action.into(),
            from: from.into(),
            page: page.into(),
            ..AuditParams::default()
        })
        .expect("query")
    };
    let all = audit::list(&db.pool, &settings, &query("", "", "", ""))
        .await
        .expect("all");
    assert_eq!((all.matching, all.pages, all.entries.len()), (56, 2, 50));
    assert_eq!(all.entries[0].action, "specialty.update", "newest first");
    assert_eq!(all.actions, ["specialty.create", "specialty.update"]);
    let second = audit::list(&db.pool, &settings, &query("", "", "", "2"))
        .await
        .expect("page 2");
    assert_eq!(second.entries.len(), 6);

    let by_deputy = audit::list(&db.pool, &settings, &query("deputy", "", "", ""))
        .await
        .expect("actor");
    assert_eq!(by_deputy.matching, 1);
    let updates = audit::list(&db.pool, &settings, &query("", "specialty.update", "", ""))
        .await
        .expect("action");
    assert_eq!(updates.matching, 1);
    let prefix = audit::list(&db.pool, &settings, &query("", "specialty", "", ""))
        .await
        .expect("prefix");
    assert_eq!(prefix.matching, 56);
    // Nothing was recorded from tomorrow on (in the clinic's time zone).
    let tomorrow = settings
        .local_date(Utc::now())
        .succ_opt()
        .expect("date")
        .to_string();
    let later = audit::list(&db.pool, &settings, &query("", "", &tomorrow, ""))
        .await
        .expect("range");
    assert_eq!(later.matching, 0);
    let today = settings.local_date(Utc::now()).to_string();
    let today_only = AuditQuery::parse(&AuditParams {
        from: today.clone(),
        to: today,
        ..AuditParams::default()
    })
    .expect("today");
    let today_only = audit::list(&db.pool, &settings, &today_only)
        .await
        .expect("today");
    assert_eq!(today_only.matching, 56);

    // The download holds every match, oldest first; only admins get it.
    let admin = sign_in(&db, "boss").await;
    let (status, _, csv) = get(
        &db,
        "/admin/audit.csv?actor=&action=specialty.create",
        Some(&admin),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 56);
    assert!(lines[0].starts_with("id,at_utc,at_clinic_time,actor,action"));
    assert!(
        lines[1].contains(",boss,specialty.create,specialty,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains("\"{\"\"name\"\": \"\"Specialty 0\"\""),
        "{}",
        lines[1]
    );
    let (status, _, text) = get(&db, "/admin/audit.csv?from=someday", Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("as a date like"));
    account(&db, "ann", UserRole::Patient).await;
    let patient = sign_in(&db, "ann").await;
    let (status, _, _) = get(&db, "/admin/audit.csv", Some(&patient)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
