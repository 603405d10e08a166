//! The outbox and its delivery worker, through a real SMTP server on loopback.

use app::services::outbox::{OutgoingEmail, enqueue};
use server::mailer::{Mailer, deliver_due};

use crate::harness::{SmtpSink, TestDb, form};

fn email(n: usize) -> OutgoingEmail {
    OutgoingEmail {
        to: format!("patient{n}@example.com"),
        subject: format!("Message {n}"),
        text: format!("Plain text {n}"),
        html: format!("<p>HTML {n}</p>"),
        attachment: None,
        confirms_appointment: None,
    }
}

async fn queue(db: &TestDb, count: usize) {
    let mut conn = db.pool.acquire().await.expect("connection");
    for n in 0..count {
        enqueue(&mut conn, &email(n)).await.expect("enqueue");
    }
}

fn mailer(sink: &SmtpSink) -> Mailer {
    Mailer::new(
        Some(&sink.url()),
        "unused".into(),
        "Clinic <no-reply@clinic.example>",
    )
    .expect("mailer")
}

async fn unsent(db: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE sent_at IS NULL")
        .fetch_one(&db.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn queued_mail_is_delivered_once_with_text_and_html_parts() {
    let db = TestDb::new().await;
    let sink = SmtpSink::start(false).await;
    queue(&db, 2).await;

    assert_eq!(
        deliver_due(&db.pool, &mailer(&sink))
            .await
            .expect("deliver"),
        2
    );
    assert_eq!(
        deliver_due(&db.pool, &mailer(&sink))
            .await
            .expect("deliver"),
        0,
        "nothing is sent twice"
    );

    let received = sink.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].to, vec!["patient0@example.com".to_owned()]);
    assert_eq!(received[0].subject(), Some("Message 0"));
    assert!(received[0].data.contains("multipart/alternative"));
    assert!(
        received[0].data.contains("Plain text 0") && received[0].data.contains("<p>HTML 0</p>")
    );
    assert_eq!(unsent(&db).await, 0);
}

#[tokio::test]
async fn an_outage_delays_mail_and_loses_none() {
    let db = TestDb::new().await;
    queue(&db, 3).await;

    // The mail server refuses: nothing is sent, nothing is lost, a retry is scheduled.
    let down = SmtpSink::start(true).await;
    assert_eq!(
        deliver_due(&db.pool, &mailer(&down))
            .await
            .expect("deliver"),
        0
    );
    assert_eq!(unsent(&db).await, 3);
    let (attempts, waits, error): (i32, bool, Option<String>) = sqlx::query_as(
        "SELECT attempts, next_attempt_at > now() + interval '10 seconds', last_error
           FROM email_outbox ORDER BY id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("row");
    assert_eq!(attempts, 1);
    assert!(waits, "the retry waits");
    assert!(error.unwrap_or_default().contains("451"));

    // Later, the server is back and the retry is due: everything arrives, once.
    let up = SmtpSink::start(false).await;
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now()")
        .execute(&db.pool)
        .await
        .expect("make due");
    assert_eq!(
        deliver_due(&db.pool, &mailer(&up)).await.expect("deliver"),
        3
    );
    assert_eq!(up.received().len(), 3);
    assert_eq!(unsent(&db).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_workers_never_send_a_message_twice() {
    let db = TestDb::new().await;
    let sink = SmtpSink::start(false).await;
    queue(&db, 24).await;

    let workers: Vec<_> = (0..4)
        .map(|_| {
            let pool = db.pool.clone();
            let mailer = mailer(&sink);
            tokio::spawn(async move { deliver_due(&pool, &mailer).await.expect("deliver") })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker.await.expect("worker");
    }
    assert_eq!(total, 24);
    let mut subjects: Vec<String> = sink
        .received()
        .iter()
        .filter_map(|m| m.subject().map(str::to_owned))
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 24, "each message arrived exactly once");
    assert_eq!(sink.received().len(), 24);
}

#[tokio::test]
async fn without_smtp_mail_becomes_eml_files() {
    let db = TestDb::new().await;
    let folder = std::env::temp_dir().join(format!("clinic-mail-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let files =
        Mailer::new(None, folder.clone(), "Clinic <no-reply@clinic.example>").expect("mailer");
    queue(&db, 1).await;
    assert_eq!(deliver_due(&db.pool, &files).await.expect("deliver"), 1);
    let written: Vec<_> = std::fs::read_dir(&folder).expect("folder").collect();
    assert_eq!(written.len(), 1);
    let text = std::fs::read_to_string(written[0].as_ref().expect("entry").path()).expect("eml");
    assert!(text.contains("Subject: Message 0"));
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test]
async fn a_registration_code_travels_by_smtp_and_confirms_the_address() {
    let db = TestDb::new().await;
    let sink = SmtpSink::start(false).await;
    let now = chrono::Utc::now();
    let user = app::services::accounts::register(&db.pool, form("ann", "ann@example.com"), now)
        .await
        .expect("register");
    deliver_due(&db.pool, &mailer(&sink))
        .await
        .expect("deliver");

    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, vec!["ann@example.com".to_owned()]);
    assert_eq!(received[0].subject(), Some("Confirm your email address"));
    let code = received[0]
        .data
        .split_whitespace()
        .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
        .expect("a code in the message")
        .to_owned();
    app::services::accounts::verify_email(&db.pool, &user, &code, now)
        .await
        .expect("the emailed code confirms the address");
}
