//! Admin rules against the real database: specialties (unique names ignoring case, no deleting
//! one that has doctors), onboarding a doctor (one transaction, the welcome email, the password
//! set with its code), edits and activation, a doctor's own fee, and who may call what.

use axum::http::StatusCode;
use chrono::Utc;

use app::domain::{AppError, DoctorDetails, DoctorForm, SpecialtyDetails};
use app::services::{accounts, doctor_records, specialties};

use crate::harness::{
    Clinic, NewDoctor, PASSWORD, TestDb, body_text, config, count, form, last_code, post, sign_in,
};

fn specialty(name: &str) -> SpecialtyDetails {
    SpecialtyDetails::parse(name, "About it.").expect("valid specialty")
}

fn doctor_form(email: &str, license: &str, specialty: i64) -> DoctorForm {
    DoctorForm {
        first_name: "Maya".into(),
        last_name: "Okafor".into(),
        email: email.into(),
        phone: String::new(),
        specialty: specialty.to_string(),
        license_number: license.into(),
        experience_years: "12".into(),
        bio: "Heart rhythm specialist.".into(),
        consultation_fee: "120.00".into(),
    }
}

async fn admin_id(db: &TestDb) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO users (username, email, password_hash, user_type)
         VALUES ('boss', 'boss@clinic.example', 'x', 'admin') RETURNING id",
    )
    .fetch_one(&db.pool)
    .await
    .expect("admin")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn specialty_names_are_unique_ignoring_case_and_one_with_doctors_stays() {
    let db = TestDb::new().await;
    let admin = admin_id(&db).await;
    let cardio = specialties::create(&db.pool, admin, &specialty("Cardiology"))
        .await
        .expect("create");
    let err = specialties::create(&db.pool, admin, &specialty("  CARDIOLOGY "))
        .await
        .expect_err("duplicate");
    assert!(
        err.message_for("name")
            .expect("beside the name")
            .contains("already exists")
    );

    let derma = specialties::create(&db.pool, admin, &specialty("Dermatology"))
        .await
        .expect("create");
    let err = specialties::update(&db.pool, admin, derma, &specialty("cardiology"))
        .await
        .expect_err("rename onto another");
    assert!(err.message_for("name").is_some());
    specialties::update(&db.pool, admin, derma, &specialty("Skin and Hair"))
        .await
        .expect("rename");
    assert!(SpecialtyDetails::parse(" ", "").is_err());

    // Two doctors (one inactive) keep Cardiology; the message says how many.
    let clinic = Clinic::new(&db).await;
    for last in ["One", "Two"] {
        clinic
            .doctor(NewDoctor {
                first: "Dr",
                last,
                specialty: cardio,
                rating: "0",
                reviews: 0,
                fee: "50",
                years: 1,
            })
            .await;
    }
    sqlx::query("UPDATE doctors SET is_active = FALSE WHERE user_id = (SELECT id FROM users WHERE last_name = 'Two')")
        .execute(&db.pool)
        .await
        .expect("deactivate");
    let err = specialties::delete(&db.pool, admin, cardio)
        .await
        .expect_err("has doctors");
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("Cardiology still has 2 doctors")),
        "{err:?}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM doctors").await,
        2,
        "nothing was deleted"
    );

    specialties::delete(&db.pool, admin, derma)
        .await
        .expect("empty specialty goes");
    assert!(matches!(
        specialties::delete(&db.pool, admin, derma).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_creates_the_doctor_and_emails_a_link_that_sets_the_password() {
    let db = TestDb::new().await;
    let admin = admin_id(&db).await;
    let cardio = specialties::create(&db.pool, admin, &specialty("Cardiology"))
        .await
        .expect("create");
    let details =
        DoctorDetails::parse(&doctor_form("maya@clinic.example", "MD-1", cardio)).expect("valid");
    let settings = config().clinic_settings();
    let doctor = doctor_records::onboard(&db.pool, &settings, admin, &details, Utc::now())
        .await
        .expect("onboard");

    let record = doctor_records::get(&db.pool, doctor).await.expect("record");
    assert_eq!((record.is_active, record.password_set), (true, false));
    let (user_type, created_by): (String, i64) = sqlx::query_as(
        "SELECT u.user_type, d.created_by FROM doctors d JOIN users u ON u.id = d.user_id WHERE d.id = $1",
    )
    .bind(doctor)
    .fetch_one(&db.pool)
    .await
    .expect("row");
    assert_eq!((user_type.as_str(), created_by), ("doctor", admin));

    let (subject, text): (String, String) = sqlx::query_as(
        "SELECT subject, text_body FROM email_outbox WHERE to_address = 'maya@clinic.example'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("welcome email");
    assert!(subject.contains("choose a password"), "{subject}");
    let code = last_code(&db, "maya@clinic.example").await;
    assert!(
        text.contains(&format!(
            "/reset-password?email=maya%40clinic.example&code={code}"
        )),
        "{text}"
    );

    // Two days later the link still works; the password it sets signs the doctor in.
    let later = Utc::now() + chrono::Duration::days(2);
    accounts::reset_password(&db.pool, "maya@clinic.example", &code, PASSWORD, later)
        .await
        .expect("choose a password");
    accounts::sign_in(&db.pool, "maya@clinic.example", PASSWORD, None, later)
        .await
        .expect("the doctor signs in");
    assert!(
        doctor_records::get(&db.pool, doctor)
            .await
            .expect("record")
            .password_set
    );
    let err = doctor_records::resend_invitation(&db.pool, &settings, admin, doctor, later)
        .await
        .expect_err("no invitation once a password is set");
    assert!(matches!(err, AppError::Conflict(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_license_or_email_and_unknown_specialty_are_refused_and_write_nothing() {
    let db = TestDb::new().await;
    let admin = admin_id(&db).await;
    let cardio = specialties::create(&db.pool, admin, &specialty("Cardiology"))
        .await
        .expect("create");
    let settings = config().clinic_settings();
    let onboard = |form: DoctorForm| {
        let (db, settings) = (&db, &settings);
        async move {
            let details = DoctorDetails::parse(&form)?;
            doctor_records::onboard(&db.pool, settings, admin, &details, Utc::now()).await
        }
    };
    onboard(doctor_form("maya@clinic.example", "MD-1", cardio))
        .await
        .expect("first");

    let err = onboard(doctor_form("other@clinic.example", "MD-1", cardio))
        .await
        .expect_err("license");
    assert!(
        err.message_for("license_number")
            .expect("beside the license")
            .contains("already")
    );
    let err = onboard(doctor_form("MAYA@clinic.example", "MD-2", cardio))
        .await
        .expect_err("email");
    assert!(err.message_for("email").is_some());
    let err = onboard(doctor_form("new@clinic.example", "MD-3", cardio + 100))
        .await
        .expect_err("specialty");
    assert!(err.message_for("specialty").is_some());
    let err = onboard(DoctorForm {
        consultation_fee: "-1".into(),
        experience_years: "-3".into(),
        ..doctor_form("new@clinic.example", "MD-4", cardio)
    })
    .await
    .expect_err("negative");
    assert!(
        err.message_for("consultation_fee").is_some()
            && err.message_for("experience_years").is_some()
    );

    assert_eq!(count(&db, "SELECT count(*) FROM doctors").await, 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM users WHERE user_type = 'doctor'").await,
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM email_outbox").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_apply_and_deactivation_hides_the_doctor_but_keeps_appointments() {
    let db = TestDb::new().await;
    let admin = admin_id(&db).await;
    let cardio = specialties::create(&db.pool, admin, &specialty("Cardiology"))
        .await
        .expect("create");
    let derma = specialties::create(&db.pool, admin, &specialty("Dermatology"))
        .await
        .expect("create");
    let settings = config().clinic_settings();
    let details =
        DoctorDetails::parse(&doctor_form("maya@clinic.example", "MD-1", cardio)).expect("valid");
    let doctor = doctor_records::onboard(&db.pool, &settings, admin, &details, Utc::now())
        .await
        .expect("onboard");

    let changed = DoctorDetails::parse(&DoctorForm {
        last_name: "Okafor-Reid".into(),
        consultation_fee: "95.5".into(),
        ..doctor_form("maya.reid@clinic.example", "MD-1B", derma)
    })
    .expect("valid");
    doctor_records::update(&db.pool, admin, doctor, &changed)
        .await
        .expect("update");
    let record = doctor_records::get(&db.pool, doctor).await.expect("record");
    assert_eq!(
        (
            record.last_name.as_str(),
            record.email.as_str(),
            record.specialty.as_str(),
            record.license_number.as_str()
        ),
        (
            "Okafor-Reid",
            "maya.reid@clinic.example",
            "Dermatology",
            "MD-1B"
        )
    );
    assert_eq!(record.consultation_fee.to_string(), "95.50");

    // A booked appointment stays when the doctor is deactivated, and the doctor leaves search.
    let patient = accounts::register(&db.pool, form("pat", "pat@example.com"), Utc::now())
        .await
        .expect("patient");
    let slot: i64 = sqlx::query_scalar(
        "INSERT INTO time_slots (doctor_id, date, start_time, end_time, is_available, created_by)
         VALUES ($1, current_date + 3, '10:00', '10:30', FALSE, $2) RETURNING id",
    )
    .bind(doctor)
    .bind(admin)
    .fetch_one(&db.pool)
    .await
    .expect("slot");
    sqlx::query(
        "INSERT INTO appointments (patient_id, doctor_id, time_slot_id, status, consultation_fee)
         VALUES ($1, $2, $3, 'confirmed', 95.50)",
    )
    .bind(patient.id)
    .bind(doctor)
    .bind(slot)
    .execute(&db.pool)
    .await
    .expect("appointment");
    doctor_records::set_active(&db.pool, admin, doctor, false)
        .await
        .expect("deactivate");
    let query = app::domain::directory::DirectoryQuery::parse(
        &Default::default(),
        settings.slot_horizon_days,
    )
    .expect("query");
    let page = app::services::directory::search(&db.pool, &settings, &query)
        .await
        .expect("search");
    assert!(page.doctors.is_empty());
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM appointments WHERE status = 'confirmed'"
        )
        .await,
        1
    );
    doctor_records::set_active(&db.pool, admin, doctor, true)
        .await
        .expect("reactivate");
    let page = app::services::directory::search(&db.pool, &settings, &query)
        .await
        .expect("search");
    assert_eq!(page.doctors.len(), 1);

    // The doctor's own fee change leaves the booked appointment's fee alone.
    let user_id: i64 = sqlx::query_scalar("SELECT user_id FROM doctors WHERE id = $1")
        .bind(doctor)
        .fetch_one(&db.pool)
        .await
        .expect("user");
    doctor_records::update_practice(
        &db.pool,
        user_id,
        &app::domain::PracticeDetails {
            bio: "New bio.".into(),
            consultation_fee: app::domain::Money::parse("140").expect("fee"),
        },
    )
    .await
    .expect("practice");
    let (fee_now, booked_fee): (String, String) = sqlx::query_as(
        "SELECT d.consultation_fee::text, a.consultation_fee::text
           FROM doctors d JOIN appointments a ON a.doctor_id = d.id WHERE d.id = $1",
    )
    .bind(doctor)
    .fetch_one(&db.pool)
    .await
    .expect("fees");
    assert_eq!((fee_now.as_str(), booked_fee.as_str()), ("140.00", "95.50"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_manage_specialties_and_doctors_and_only_doctors_their_practice() {
    let db = TestDb::new().await;
    for (username, role) in [("pat", "patient"), ("doc", "doctor"), ("adm", "admin")] {
        let user = accounts::register(
            &db.pool,
            form(username, &format!("{username}@example.com")),
            Utc::now(),
        )
        .await
        .expect("register");
        sqlx::query("UPDATE users SET user_type = $2 WHERE id = $1")
            .bind(user.id)
            .bind(role)
            .execute(&db.pool)
            .await
            .expect("role");
    }
    let doc_user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'doc'")
        .fetch_one(&db.pool)
        .await
        .expect("doc");
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'adm'")
        .fetch_one(&db.pool)
        .await
        .expect("admin");
    let cardio = specialties::create(&db.pool, admin, &specialty("Cardiology"))
        .await
        .expect("create");
    sqlx::query(
        "INSERT INTO doctors (user_id, specialty_id, license_number, experience_years, bio, consultation_fee, created_by)
         VALUES ($1, $2, 'L-1', 3, '', 50, $3)",
    )
    .bind(doc_user)
    .bind(cardio)
    .bind(admin)
    .execute(&db.pool)
    .await
    .expect("doctor profile");

    let create = "name=Neurology&description=Nerves";
    let anonymous = post(&db, "/api/admin/create-specialty", create, &[]).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    for who in ["pat", "doc"] {
        let cookie = sign_in(&db, who).await;
        let refused = post(
            &db,
            "/api/admin/create-specialty",
            create,
            &[("cookie", cookie.as_str())],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{who}");
        let refused = post(
            &db,
            "/api/admin/set-doctor-active",
            "id=1&active=false",
            &[("cookie", cookie.as_str())],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(count(&db, "SELECT count(*) FROM specialties").await, 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM doctors WHERE is_active").await,
        1
    );

    let admin_cookie = sign_in(&db, "adm").await;
    let created = post(
        &db,
        "/api/admin/create-specialty",
        create,
        &[("cookie", admin_cookie.as_str())],
    )
    .await;
    assert_eq!(created.status(), StatusCode::OK);
    let bad_fee = post(
        &db,
        "/api/admin/onboard-doctor",
        &format!("first_name=A&last_name=B&email=a%40b.org&phone=&specialty={cardio}&license_number=X&experience_years=2&bio=&consultation_fee=-5"),
        &[("cookie", admin_cookie.as_str())],
    )
    .await;
    assert_eq!(bad_fee.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(bad_fee).await.contains("cannot be negative"));

    // A doctor edits their own practice; a patient cannot.
    let practice = "bio=Hello&consultation_fee=70";
    let pat = sign_in(&db, "pat").await;
    let refused = post(
        &db,
        "/api/update-my-practice",
        practice,
        &[("cookie", pat.as_str())],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let doc = sign_in(&db, "doc").await;
    let saved = post(
        &db,
        "/api/update-my-practice",
        practice,
        &[("cookie", doc.as_str())],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM doctors WHERE consultation_fee = 70 AND bio = 'Hello'"
        )
        .await,
        1
    );
}
