//! Text at its limits: a doctor with the longest names the columns hold still books, moves,
//! cancels and reminds, and every email and ledger row built from those names fits.

use chrono::{TimeDelta, Utc};

use app::domain::account::{MAX_NAME_CHARS, parse_name};
use app::domain::booking::parse_reason;
use app::domain::{DoctorDetails, DoctorForm, UserRole};
use app::services::booking::{self, Actor};
use server::mailer::{Mailer, deliver_due};

use crate::harness::{SmtpSink, TestDb, World, assert_invariants, confirmed, key, settings};

/// A name of exactly `length` characters, two bytes each, so a byte count would get it wrong.
fn long_name(letter: char, length: usize) -> String {
    std::iter::repeat_n(letter, length).collect()
}

#[test]
fn names_are_bounded_by_their_column_and_refuse_control_characters() {
    assert!(parse_name(&long_name('Ö', MAX_NAME_CHARS), "first name").is_ok());
    let long = parse_name(&long_name('Ö', MAX_NAME_CHARS + 1), "first name").expect_err("long");
    assert!(long.contains("150"), "{long}");
    let control = parse_name("Jo\r\nBcc: all@example.com", "last name").expect_err("CRLF");
    assert!(control.contains("control characters"), "{control}");
    // The admin's doctor form says so beside the field.
    let err = DoctorDetails::parse(&DoctorForm {
        first_name: long_name('Ö', MAX_NAME_CHARS + 1),
        last_name: "Heart\u{0}".into(),
        email: "jo@example.org".into(),
        specialty: "1".into(),
        license_number: "MD\t1".into(),
        experience_years: "3".into(),
        consultation_fee: "80".into(),
        ..DoctorForm::default()
    })
    .expect_err("invalid");
    for field in ["first_name", "last_name", "license_number"] {
        assert!(err.message_for(field).is_some(), "{field}: {err:?}");
    }
    assert!(parse_reason(&"x".repeat(201)).is_err());
    assert!(parse_reason(&"x".repeat(200)).is_ok());
}

#[tokio::test]
async fn a_doctor_with_the_longest_names_books_moves_cancels_and_reminds() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    // Straight into the database: the longest the columns hold, beyond what any subject fits.
    sqlx::query("UPDATE users SET first_name = $2, last_name = $3 WHERE id = $1")
        .bind(w.doctor_user)
        .bind(long_name('Ö', MAX_NAME_CHARS))
        .bind(long_name('Å', MAX_NAME_CHARS))
        .execute(&db.pool)
        .await
        .expect("long names");
    sqlx::query("UPDATE specialties SET name = $1")
        .bind(long_name('É', 100))
        .execute(&db.pool)
        .await
        .expect("long specialty");
    let ann = w.patient("ann", "500.00").await;
    let now = Utc::now();

    // Book, move, cancel.
    let first = confirmed(w.book(ann, w.slot(5, 9).await, now).await);
    let moved = booking::reschedule(
        &db.pool,
        &settings(),
        ann,
        first,
        w.slot(6, 9).await,
        &key(),
        now,
    )
    .await;
    let second = confirmed(moved);
    let doctor = Actor {
        user_id: w.doctor_user,
        role: UserRole::Doctor,
    };
    let reason = parse_reason(&format!("Ill\r\n{}", "z".repeat(195))).expect("reason");
    booking::cancel(
        &db.pool,
        &settings(),
        doctor,
        booking::Cancellation {
            appointment_id: second,
            expected_refund: None,
            reason: &reason,
        },
        &key(),
        now,
    )
    .await
    .expect("the doctor cancels");

    // Remind: the reminder job for this doctor's visit tomorrow runs without rolling back.
    let tomorrow = w.slot(1, 15).await;
    confirmed(w.book(ann, tomorrow, now).await);
    let day_before = w.starts_at(tomorrow).await - TimeDelta::hours(23);
    assert_eq!(
        booking::queue_reminders(&db.pool, &settings(), day_before)
            .await
            .expect("the reminder job"),
        1
    );

    // Every subject is one line that fits its column and still says when.
    let subjects: Vec<String> = sqlx::query_scalar("SELECT subject FROM email_outbox ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .expect("subjects");
    let kinds: Vec<&str> = subjects
        .iter()
        .filter_map(|s| s.split(':').next())
        .collect();
    for kind in ["Confirmed", "Cancelled", "Reminder"] {
        assert!(kinds.contains(&kind), "a {kind} email in {subjects:?}");
    }
    for subject in subjects.iter().filter(|s| !s.starts_with("Confirm your")) {
        assert!(subject.chars().count() <= 200, "{subject}");
        assert!(!subject.contains(['\r', '\n']), "{subject:?}");
        assert!(subject.contains('…'), "the name is shortened: {subject}");
        assert!(
            subject.ends_with(')'),
            "the time zone still shows: {subject}"
        );
    }
    // The ledger's descriptions keep the date too.
    let descriptions: Vec<String> = sqlx::query_scalar(
        "SELECT description FROM wallet_transactions WHERE appointment_id IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await
    .expect("descriptions");
    assert_eq!(
        descriptions.len(),
        5,
        "3 payments and 2 refunds: {descriptions:?}"
    );
    for description in &descriptions {
        assert!(description.chars().count() <= 200, "{description}");
        assert!(description.contains(" on "), "{description}");
    }

    // And the mailer sends every one of them.
    let sink = SmtpSink::start(false).await;
    let mailer = Mailer::new(
        Some(&sink.url()),
        "unused".into(),
        "Clinic <no-reply@clinic.example>",
    )
    .expect("mailer");
    let queued = subjects.len();
    assert_eq!(
        deliver_due(&db.pool, &mailer).await.expect("deliver"),
        queued
    );
    assert_eq!(sink.received().len(), queued);
    assert_invariants(&db).await;
}
