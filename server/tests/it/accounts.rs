//! Accounts against the real database: registration rules, one-time codes (expiry on a moved
//! clock, the attempt limit, resend cooldown), sign-in throttling, enumeration-safe answers,
//! password reset ending other sessions. The HTTP-level rules (session id change at sign-in,
//! cross-origin refusal) are in `sessions`.

use chrono::{DateTime, Duration, Utc};

use app::domain::AppError;
use app::services::accounts::{self, Registration};

use crate::harness::{PASSWORD, TestDb, count, form, last_code};

fn t0() -> DateTime<Utc> {
    "2030-01-07T09:00:00Z".parse().expect("instant")
}

/// How many emails were queued to `to`.
async fn emails_to(db: &TestDb, to: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE to_address = $1")
        .bind(to)
        .fetch_one(&db.pool)
        .await
        .expect("count")
}

fn field_message(err: &AppError, field: &str) -> String {
    err.message_for(field)
        .unwrap_or_else(|| panic!("no message for {field}: {err:?}"))
}

#[tokio::test]
async fn registration_reports_every_bad_field_at_once_and_writes_nothing() {
    let db = TestDb::new().await;
    let bad = Registration {
        username: "a b".into(),
        email: "not-an-email".into(),
        first_name: " ".into(),
        last_name: String::new(),
        phone: "0207 946 0001".into(),
        password: "short".into(),
    };
    let err = accounts::register(&db.pool, bad, t0())
        .await
        .expect_err("refused");
    for field in [
        "username",
        "email",
        "first_name",
        "last_name",
        "phone",
        "password",
    ] {
        field_message(&err, field);
    }
    assert!(field_message(&err, "phone").contains("international form"));
    assert_eq!(count(&db, "SELECT count(*) FROM users").await, 0);
    assert_eq!(count(&db, "SELECT count(*) FROM email_outbox").await, 0);
}

#[tokio::test]
async fn common_passwords_and_taken_names_are_refused() {
    let db = TestDb::new().await;
    let mut common = form("ann", "ann@example.com");
    common.password = "Password1".into();
    let err = accounts::register(&db.pool, common, t0())
        .await
        .expect_err("common");
    assert!(field_message(&err, "password").contains("most common"));

    accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("first");
    let err = accounts::register(&db.pool, form("ann", "other@example.com"), t0())
        .await
        .expect_err("username");
    assert!(field_message(&err, "username").contains("taken"));
    let err = accounts::register(&db.pool, form("ann2", "ANN@example.com"), t0())
        .await
        .expect_err("email");
    assert!(field_message(&err, "email").contains("already exists"));
}

#[tokio::test]
async fn registration_stores_a_normalised_phone_and_emails_a_code_valid_ten_minutes() {
    let db = TestDb::new().await;
    let user = accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    assert!(!user.email_verified);
    assert_eq!(user.phone_number, "+442079460001");
    let code = last_code(&db, "ann@example.com").await;
    assert_eq!(code.len(), 6);
    let (subject, html): (String, String) = sqlx::query_as(
        "SELECT subject, html_body FROM email_outbox WHERE to_address = 'ann@example.com'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("email");
    assert_eq!(subject, "Confirm your email address");
    assert!(html.contains(&code));

    // Still valid at 9:59, expired at 10:00.
    let err = accounts::verify_email(&db.pool, &user, &code, t0() + Duration::minutes(10))
        .await
        .expect_err("expired");
    assert!(field_message(&err, "code").contains("expired"));
    accounts::verify_email(&db.pool, &user, &code, t0() + Duration::seconds(599))
        .await
        .expect("valid just before expiry");
    let verified: bool =
        sqlx::query_scalar("SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&db.pool)
            .await
            .expect("user");
    assert!(verified);
    // Single use.
    let err = accounts::verify_email(&db.pool, &user, &code, t0() + Duration::minutes(1))
        .await
        .expect_err("used");
    assert!(field_message(&err, "code").contains("No code is waiting"));
}

#[tokio::test]
async fn five_wrong_tries_end_a_code() {
    let db = TestDb::new().await;
    let user = accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    let code = last_code(&db, "ann@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for tries_left in (0..5).rev() {
        let err = accounts::verify_email(&db.pool, &user, wrong, t0())
            .await
            .expect_err("wrong");
        let message = field_message(&err, "code");
        match tries_left {
            0 => assert!(message.contains("stopped working"), "{message}"),
            1 => assert!(message.contains("1 more try"), "{message}"),
            n => assert!(message.contains(&format!("{n} more tries")), "{message}"),
        }
    }
    let err = accounts::verify_email(&db.pool, &user, &code, t0())
        .await
        .expect_err("dead code");
    assert!(field_message(&err, "code").contains("No code is waiting"));
}

#[tokio::test]
async fn a_new_code_waits_a_minute_and_replaces_the_old_one() {
    let db = TestDb::new().await;
    let user = accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    let first = last_code(&db, "ann@example.com").await;

    match accounts::resend_verification(&db.pool, &user, t0() + Duration::seconds(20)).await {
        Err(AppError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 40),
        other => panic!("expected a cooldown, got {other:?}"),
    }
    accounts::resend_verification(&db.pool, &user, t0() + Duration::seconds(61))
        .await
        .expect("resend after a minute");
    let second = last_code(&db, "ann@example.com").await;
    assert_eq!(count(&db, "SELECT count(*) FROM email_outbox").await, 2);
    if first != second {
        let err = accounts::verify_email(&db.pool, &user, &first, t0() + Duration::seconds(62))
            .await
            .expect_err("the old code no longer works");
        assert!(field_message(&err, "code").contains("not right"));
    }
    accounts::verify_email(&db.pool, &user, &second, t0() + Duration::seconds(63))
        .await
        .expect("the new code works");
}

#[tokio::test]
async fn sign_in_answers_the_same_for_unknown_accounts_and_wrong_passwords() {
    let db = TestDb::new().await;
    accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");

    let unknown = accounts::sign_in(&db.pool, "nobody", PASSWORD, None, t0())
        .await
        .expect_err("unknown");
    let wrong = accounts::sign_in(&db.pool, "ann", "wrong password", None, t0())
        .await
        .expect_err("wrong");
    assert_eq!(unknown, wrong);

    let by_name = accounts::sign_in(&db.pool, "ann", PASSWORD, None, t0())
        .await
        .expect("username");
    let by_email = accounts::sign_in(&db.pool, "ANN@example.com", PASSWORD, None, t0())
        .await
        .expect("email");
    assert_eq!(by_name.user.id, by_email.user.id);

    sqlx::query("UPDATE users SET is_active = FALSE")
        .execute(&db.pool)
        .await
        .expect("deactivate");
    assert_eq!(
        accounts::sign_in(&db.pool, "ann", PASSWORD, None, t0())
            .await
            .expect_err("inactive"),
        AppError::Forbidden
    );
}

#[tokio::test]
async fn repeated_failures_pause_sign_in_per_account_and_per_address() {
    let db = TestDb::new().await;
    accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    let here = Some("203.0.113.7".parse().expect("ip"));

    for minute in 0..5 {
        accounts::sign_in(
            &db.pool,
            "ann",
            "wrong",
            here,
            t0() + Duration::minutes(minute),
        )
        .await
        .expect_err("wrong password");
    }
    // Even the right password waits, and the message says how long.
    match accounts::sign_in(&db.pool, "ann", PASSWORD, None, t0() + Duration::minutes(5)).await {
        Err(AppError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 10 * 60),
        other => panic!("expected a pause, got {other:?}"),
    }
    accounts::sign_in(
        &db.pool,
        "ann",
        PASSWORD,
        None,
        t0() + Duration::minutes(15) + Duration::seconds(1),
    )
    .await
    .expect("open again once the first failure leaves the window");

    // One address trying many accounts is paused too, whatever the account.
    for n in 0..20 {
        accounts::sign_in(
            &db.pool,
            &format!("guess{n}"),
            "wrong",
            here,
            t0() + Duration::minutes(20),
        )
        .await
        .expect_err("unknown account");
    }
    match accounts::sign_in(
        &db.pool,
        "ann",
        PASSWORD,
        here,
        t0() + Duration::minutes(21),
    )
    .await
    {
        Err(AppError::RateLimited { .. }) => {}
        other => panic!("expected the address to be paused, got {other:?}"),
    }
    accounts::sign_in(
        &db.pool,
        "ann",
        PASSWORD,
        None,
        t0() + Duration::minutes(21),
    )
    .await
    .expect("another address is not affected");
}

#[tokio::test]
async fn password_reset_is_enumeration_safe_and_ends_other_sessions() {
    let db = TestDb::new().await;
    let user = accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    let before = accounts::sign_in(&db.pool, "ann", PASSWORD, None, t0())
        .await
        .expect("sign in");

    // An unknown address gets the same answer and no email.
    accounts::request_password_reset(&db.pool, "nobody@example.com", t0())
        .await
        .expect("same answer");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM email_outbox WHERE to_address = 'nobody@example.com'"
        )
        .await,
        0
    );

    accounts::request_password_reset(&db.pool, "Ann@Example.com", t0())
        .await
        .expect("reset requested");
    let code = last_code(&db, "ann@example.com").await;
    let err = accounts::reset_password(&db.pool, "ann@example.com", &code, "12345678", t0())
        .await
        .expect_err("common password");
    field_message(&err, "password");
    accounts::reset_password(
        &db.pool,
        "ann@example.com",
        &code,
        "a new and quiet river",
        t0(),
    )
    .await
    .expect("reset");

    // The session from before the reset is over; the old password is too.
    assert!(
        accounts::session_user(&db.pool, user.id, before.auth_epoch)
            .await
            .expect("lookup")
            .is_none()
    );
    accounts::sign_in(&db.pool, "ann", PASSWORD, None, t0())
        .await
        .expect_err("old password");
    let after = accounts::sign_in(&db.pool, "ann", "a new and quiet river", None, t0())
        .await
        .expect("new password");
    assert!(
        accounts::session_user(&db.pool, user.id, after.auth_epoch)
            .await
            .expect("lookup")
            .is_some()
    );
    assert!(
        after.user.email_verified,
        "proving the address by code verifies it"
    );
}

#[tokio::test]
async fn changing_the_email_needs_the_code_sent_to_the_new_address() {
    let db = TestDb::new().await;
    let user = accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    accounts::register(&db.pool, form("ben", "ben@example.com"), t0())
        .await
        .expect("register");

    let err = accounts::request_email_change(&db.pool, &user, "BEN@example.com", PASSWORD, t0())
        .await
        .expect_err("taken");
    field_message(&err, "email");

    // An open session is not enough: the password is asked for again.
    let err = accounts::request_email_change(
        &db.pool,
        &user,
        "ann.lee@example.org",
        "not-my-password",
        t0(),
    )
    .await
    .expect_err("wrong password");
    field_message(&err, "password");
    assert_eq!(emails_to(&db, "ann.lee@example.org").await, 0);

    accounts::request_email_change(&db.pool, &user, "ann.lee@example.org", PASSWORD, t0())
        .await
        .expect("request");
    let code = last_code(&db, "ann.lee@example.org").await;
    let unchanged: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&db.pool)
        .await
        .expect("email");
    assert_eq!(
        unchanged, "ann@example.com",
        "nothing changes before the code comes back"
    );
    let updated = accounts::confirm_email_change(&db.pool, user.id, &code, t0())
        .await
        .expect("confirm");
    assert_eq!(updated.email, "ann.lee@example.org");
    assert!(updated.email_verified);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let db = TestDb::new().await;
    let user = accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    let err = accounts::change_password(&db.pool, user.id, "not it", "a new and quiet river")
        .await
        .expect_err("wrong current password");
    field_message(&err, "current_password");
    let epoch = accounts::change_password(&db.pool, user.id, PASSWORD, "a new and quiet river")
        .await
        .expect("changed");
    assert_eq!(epoch, 1);
}

#[tokio::test]
async fn housekeeping_removes_only_rows_past_their_use() {
    let db = TestDb::new().await;
    sqlx::query(
        "INSERT INTO sign_in_failures (account_key, failed_at)
         VALUES ('old', now() - interval '2 days'), ('recent', now() - interval '1 hour')",
    )
    .execute(&db.pool)
    .await
    .expect("failures");
    server::housekeeping::clean_up(&db.pool, &Default::default())
        .await
        .expect("housekeeping");
    let left: Vec<String> = sqlx::query_scalar("SELECT account_key FROM sign_in_failures")
        .fetch_all(&db.pool)
        .await
        .expect("rows");
    assert_eq!(left, vec!["recent".to_owned()]);
}

#[tokio::test]
async fn the_database_keeps_no_usable_code() {
    let db = TestDb::new().await;
    let user = accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    let code = last_code(&db, "ann@example.com").await;
    let stored: String =
        sqlx::query_scalar("SELECT otp_code FROM otp_verifications WHERE user_id = $1")
            .bind(user.id)
            .fetch_one(&db.pool)
            .await
            .expect("stored code");
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains(&code));
    // The code from the email still works.
    accounts::verify_email(&db.pool, &user, &code, t0())
        .await
        .expect("verified");
}

#[tokio::test]
async fn delivered_mail_keeps_no_code() {
    let db = TestDb::new().await;
    accounts::register(&db.pool, form("ann", "ann@example.com"), t0())
        .await
        .expect("register");
    let code = last_code(&db, "ann@example.com").await;
    // Not yet delivered: the code stays for the mailer.
    server::housekeeping::clean_up(&db.pool, &Default::default())
        .await
        .expect("housekeeping");
    assert_eq!(last_code(&db, "ann@example.com").await, code);
    sqlx::query("UPDATE email_outbox SET sent_at = now()")
        .execute(&db.pool)
        .await
        .expect("delivered");
    server::housekeeping::clean_up(&db.pool, &Default::default())
        .await
        .expect("housekeeping");
    let (text, html): (String, String) =
        sqlx::query_as("SELECT text_body, html_body FROM email_outbox")
            .fetch_one(&db.pool)
            .await
            .expect("kept copy");
    assert!(!text.contains(&code) && !html.contains(&code), "{text}");
    assert!(text.contains("[code removed]"), "{text}");
}
