//! Mail that can never be sent: the email rule refuses what the mailer cannot send, and a
//! message the mailer or the mail server refuses for good is parked as failed (and shown to
//! admins) while the messages behind it are delivered.

use std::str::FromStr;

use chrono::Utc;
use lettre::Address;
use lettre::message::Mailbox;

use app::domain::Email;
use app::services::dashboards;
use app::services::outbox::{OutgoingEmail, enqueue};
use server::mailer::{Mailer, deliver_due};

use crate::harness::{SmtpSink, TestDb, settings};

/// Pieces that make or break an address for one parser or the other.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "ann",
    ".",
    "..",
    "-",
    "_",
    "+",
    "'",
    "!",
    "#",
    "$",
    "%",
    "&",
    "*",
    "/",
    "=",
    "?",
    "^",
    "`",
    "{",
    "|",
    "}",
    "~",
    "\"",
    "\\",
    " ",
    "\t",
    "\n",
    "\0",
    "(",
    ")",
    ",",
    ";",
    ":",
    "<",
    ">",
    "[",
    "]",
    "@",
    "ü",
    "é",
    "中",
    "xn--",
    "example",
    "com",
    "a-b",
    "-a",
    "a-",
    "127.0.0.1",
    "[127.0.0.1]",
];

/// Pieces of addresses that are mostly fine, so the accepting side is tested too.
const PLAIN: &[&str] = &[
    "a", "Z", "0", "ann", "lee", ".", "-", "_", "+", "'", "=", "~", "xn--", "mail", "co", "a-b",
];

/// A small deterministic generator, so a failure names a string that can be tried again.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn part(&mut self, pieces: &[&'static str], most: usize) -> String {
        (0..=self.below(most))
            .map(|_| pieces[self.below(pieces.len())])
            .collect()
    }
}

fn candidates() -> Vec<String> {
    let mut random = Xorshift(0x9E37_79B9_7F4A_7C15);
    let mut all: Vec<String> = [
        "ann@example.com",
        "o'brien+clinic@mail.example.co.uk",
        "\"ann lee\"@example.com",
        "ann..lee@example.com",
        "a(b)@example.com",
        "a,b@example.com",
        "jörg@example.com",
        "ann@bücher.de",
        "ann@xn--bcher-kva.de",
        "ann@-example.com",
        "ann@exa_mple.com",
        "ann@[127.0.0.1]",
        "ann@127.0.0.1",
        "ann@localhost",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    all.push(format!("{}@example.com", "é".repeat(40)));
    all.push(format!("ann@{}.com", "a".repeat(64)));
    all.push(format!("{}@example.com", "a".repeat(65)));
    for n in 0..20_000 {
        let pieces = if n % 2 == 0 { PIECES } else { PLAIN };
        let local = random.part(pieces, 4);
        let domain = match random.below(3) {
            0 => random.part(pieces, 4),
            1 => format!("{}.{}", random.part(pieces, 2), random.part(pieces, 2)),
            _ => format!("{}.com", random.part(pieces, 3)),
        };
        all.push(format!("{local}@{domain}"));
    }
    all
}

#[test]
fn every_address_the_email_rule_accepts_is_one_the_mailer_accepts() {
    let mut accepted = 0;
    let mut refused_by_both = 0;
    for candidate in candidates() {
        let Ok(email) = Email::parse(&candidate) else {
            refused_by_both += usize::from(Address::from_str(candidate.trim()).is_err());
            continue;
        };
        accepted += 1;
        let address = Address::from_str(email.as_str());
        assert!(address.is_ok(), "{candidate:?}: we accept, lettre refuses");
        assert!(
            Mailbox::from_str(email.as_str()).is_ok(),
            "{candidate:?}: no mailbox"
        );
        // Over SMTP without SMTPUTF8 only ASCII addresses go through.
        assert!(email.as_str().is_ascii(), "{candidate:?}");
    }
    assert!(
        accepted > 1_000,
        "the candidates test the accepting side too: {accepted}"
    );
    assert!(refused_by_both > 1_000, "{refused_by_both}");
}

fn email(to: &str, subject: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text: "Plain text".to_owned(),
        html: "<p>HTML</p>".to_owned(),
        attachment: None,
        confirms_appointment: None,
    }
}

#[tokio::test]
async fn a_message_that_can_never_be_sent_is_parked_and_the_next_one_still_goes() {
    let db = TestDb::new().await;
    let sink = SmtpSink::start(false).await;
    let mut conn = db.pool.acquire().await.expect("connection");
    // An address lettre refuses (written before the rule was one), a mailbox the server refuses
    // for good, then an ordinary message.
    for (to, subject) in [
        ("ann..lee@example.com", "Unparsable"),
        ("bounce@example.com", "Bounced"),
        ("ann@example.com", "Delivered"),
    ] {
        enqueue(&mut conn, &email(to, subject))
            .await
            .expect("enqueue");
    }
    drop(conn);
    let mailer = Mailer::new(
        Some(&sink.url()),
        "unused".into(),
        "Clinic <no-reply@clinic.example>",
    )
    .expect("mailer");

    assert_eq!(deliver_due(&db.pool, &mailer).await.expect("deliver"), 1);
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].subject(), Some("Delivered"));
    let parked: Vec<(String, bool, Option<String>)> = sqlx::query_as(
        "SELECT subject, failed_at IS NOT NULL AND sent_at IS NULL, last_error
           FROM email_outbox WHERE subject <> 'Delivered' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("parked");
    assert_eq!(parked.len(), 2);
    assert!(parked.iter().all(|(_, failed, _)| *failed), "{parked:?}");
    assert!(
        parked[0]
            .2
            .as_deref()
            .unwrap_or_default()
            .contains("address"),
        "{parked:?}"
    );
    assert!(
        parked[1].2.as_deref().unwrap_or_default().contains("550"),
        "{parked:?}"
    );

    // Parked for good: even when everything is due again, nothing is tried twice.
    sqlx::query("UPDATE email_outbox SET next_attempt_at = now() - interval '1 hour'")
        .execute(&db.pool)
        .await
        .expect("make due");
    assert_eq!(deliver_due(&db.pool, &mailer).await.expect("deliver"), 0);
    assert_eq!(sink.received().len(), 1);
    let attempts: i64 = sqlx::query_scalar("SELECT sum(attempts) FROM email_outbox")
        .fetch_one(&db.pool)
        .await
        .expect("attempts");
    assert_eq!(attempts, 3, "one try each");

    // The admin's home counts and lists them, newest first.
    let board = dashboards::admin(&db.pool, &settings(), Utc::now())
        .await
        .expect("dashboard");
    assert_eq!(board.failed_emails, 2);
    let listed: Vec<&str> = board
        .latest_failed_emails
        .iter()
        .map(|e| e.to_address.as_str())
        .collect();
    assert_eq!(listed, ["bounce@example.com", "ann..lee@example.com"]);
    assert!(board.latest_failed_emails[0].error.contains("550"));
}
