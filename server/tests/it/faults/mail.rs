//! The mail check: every queued message reached the mail server exactly once.

use std::collections::BTreeMap;

use sqlx::PgPool;

use crate::harness::SmtpSink;

pub(super) struct MailCheck {
    pub(super) queued: usize,
    pub(super) delivered: usize,
    pub(super) distinct: usize,
    pub(super) problems: Vec<String>,
}

/// Every queued message reached the sink exactly once, by its Message-ID.
pub(super) async fn check_mail(pool: &PgPool, sink: &SmtpSink, unsent: i64) -> MailCheck {
    let mut problems = Vec::new();
    if unsent > 0 {
        problems.push(format!(
            "{unsent} emails were still unsent 180 s after the load"
        ));
    }
    let failed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM email_outbox WHERE failed_at IS NOT NULL")
            .fetch_one(pool)
            .await
            .expect("failed mail");
    if failed > 0 {
        problems.push(format!("{failed} emails were parked as failed"));
    }
    let queued: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, to_address FROM email_outbox ORDER BY id")
            .fetch_all(pool)
            .await
            .expect("the outbox");
    let received = sink.received();
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for mail in &received {
        match mail.message_id() {
            Some(id) => *by_id.entry(id.to_owned()).or_default() += 1,
            None => problems.push("an email arrived without a Message-ID".to_owned()),
        }
    }
    for (id, count) in &by_id {
        if *count != 1 {
            problems.push(format!("{id} arrived {count} times"));
        }
    }
    for (id, to) in &queued {
        let prefix = format!("<clinic.{id}.");
        if !by_id.keys().any(|message| message.starts_with(&prefix)) {
            problems.push(format!("email {id} to {to} was queued but never arrived"));
        }
    }
    if by_id.len() != queued.len() {
        problems.push(format!(
            "{} distinct messages arrived for {} queued",
            by_id.len(),
            queued.len()
        ));
    }
    MailCheck {
        queued: queued.len(),
        delivered: received.len(),
        distinct: by_id.len(),
        problems,
    }
}
