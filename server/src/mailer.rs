//! Mail delivery: the worker that drains the email outbox through lettre.
//!
//! Several server instances may run the worker at once. Each claims one message at a time with
//! `FOR UPDATE SKIP LOCKED` and moves its `next_attempt_at` forward by a lease longer than any
//! send can take, so no message is handed to two workers; a failed send is retried with backoff,
//! so a mail-server outage delays mail but loses none. A message that can never be sent (an
//! address lettre refuses, a permanent 5xx answer) is parked as failed for the admins to see,
//! and the messages behind it go on.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use tokio::sync::watch;

/// How long a claimed message is reserved for its worker: a send times out well before, and a
/// message whose worker died (its instance killed) goes to another worker this long after.
const LEASE: Duration = Duration::from_secs(60);
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries wait 15 s, 30 s, 1 min, ... and at most an hour.
const FIRST_RETRY: Duration = Duration::from_secs(15);
const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How often recording a delivered message is tried again while the database is away.
const RECORD_RETRY: Duration = Duration::from_secs(1);
/// How often an idle worker looks for new mail.
const POLL: Duration = Duration::from_secs(1);

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    /// A real SMTP server (`SMTP_URL`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder, for development without a mail server.
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Sends messages from one sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// SMTP when `smtp_url` is given (`smtp://host:port`, `smtps://user:pass@host`), otherwise
    /// `.eml` files in `folder`.
    pub fn new(smtp_url: Option<&str>, folder: PathBuf, from: &str) -> anyhow::Result<Self> {
        let from: Mailbox = from.parse().with_context(|| {
            format!("MAIL_FROM {from:?} is not an address like Clinic <no-reply@example.com>")
        })?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL is not an SMTP URL like smtp://mail.example.com:587")?
                    .timeout(Some(SEND_TIMEOUT))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&folder).with_context(|| {
                    format!("could not create the mail folder {}", folder.display())
                })?;
                Transport::Files(AsyncFileTransport::new(&folder), folder)
            }
        };
        Ok(Self { transport, from })
    }

    /// A line for the start-up log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Files(_, folder) => format!(".eml files in {}", folder.display()),
        }
    }

    async fn send(&self, message: &QueuedEmail) -> Result<(), SendError> {
        let email = self.build(message).map_err(SendError::Never)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                match tokio::time::timeout(SEND_TIMEOUT, smtp.send(email)).await {
                    Err(_) => {
                        return Err(SendError::Later(anyhow::anyhow!(
                            "the mail server did not answer in time"
                        )));
                    }
                    Ok(Err(err)) if refuses_this_message(&err) => {
                        return Err(SendError::Never(anyhow::Error::new(err)));
                    }
                    Ok(Err(err)) => return Err(SendError::Later(anyhow::Error::new(err))),
                    Ok(Ok(_)) => {}
                }
            }
            Transport::Files(files, folder) => {
                let id = files
                    .send(email)
                    .await
                    .map_err(|err| SendError::Later(err.into()))?;
                tracing::info!(to = %message.to_address, subject = %message.subject,
                    file = %folder.join(format!("{id}.eml")).display(), "email written");
            }
        }
        Ok(())
    }

    /// The same Message-ID on every try: a message sent again after a crash (its worker died
    /// between the mail server's acceptance and the record of it) is then the same message to
    /// the recipient's mail program, and a test can count deliveries per message.
    fn message_id(&self, message: &QueuedEmail) -> String {
        format!(
            "<clinic.{}.{}@{}>",
            message.id,
            message.created_at.timestamp_micros(),
            self.from.email.domain()
        )
    }

    /// The message as lettre sends it; an error here is in the message itself, so it is final.
    fn build(&self, message: &QueuedEmail) -> anyhow::Result<Message> {
        let email = Message::builder()
            .message_id(Some(self.message_id(message)))
            .from(self.from.clone())
            .to(message
                .to_address
                .parse()
                .context("the recipient address is invalid")?)
            .subject(&message.subject);
        let body =
            MultiPart::alternative_plain_html(message.text_body.clone(), message.html_body.clone());
        match (
            &message.attachment_name,
            &message.attachment_type,
            &message.attachment_body,
        ) {
            (Some(name), Some(content_type), Some(file)) => email.multipart(
                MultiPart::mixed().multipart(body).singlepart(
                    Attachment::new(name.clone()).body(
                        file.clone(),
                        ContentType::parse(content_type)
                            .context("the attachment's content type is invalid")?,
                    ),
                ),
            ),
            _ => email.multipart(body),
        }
        .context("could not build the message")
    }
}

/// True when the mail server refused this message for good: a permanent answer about the
/// mailbox or the message (55x: no such mailbox, not allowed, too big, rejected). Other
/// permanent answers (a syntax, connection or authentication error) are about the server's
/// setup and would refuse every message alike, so those are retried until it is fixed.
fn refuses_this_message(err: &lettre::transport::smtp::Error) -> bool {
    use lettre::transport::smtp::response::Category;
    err.is_permanent()
        && err
            .status()
            .is_some_and(|code| code.category == Category::MailSystem)
}

/// Why a message was not sent.
#[derive(Debug)]
enum SendError {
    /// It cannot ever be sent as it is: park it.
    Never(anyhow::Error),
    /// The mail server is away or busy: try again later.
    Later(anyhow::Error),
}

#[derive(sqlx::FromRow)]
struct QueuedEmail {
    id: i64,
    to_address: String,
    subject: String,
    text_body: String,
    html_body: String,
    attachment_name: Option<String>,
    attachment_type: Option<String>,
    attachment_body: Option<String>,
    attempts: i32,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// Sends every message that is due now. Returns how many were delivered.
pub async fn deliver_due(pool: &PgPool, mailer: &Mailer) -> anyhow::Result<usize> {
    let (_keep_going, never_stopping) = watch::channel(false);
    deliver_due_until(pool, mailer, &never_stopping).await
}

/// Sends the messages that are due now, one by one, until `stopping` turns true (then after
/// the message in hand is sent and recorded). Returns how many were delivered.
async fn deliver_due_until(
    pool: &PgPool,
    mailer: &Mailer,
    stopping: &watch::Receiver<bool>,
) -> anyhow::Result<usize> {
    let mut delivered = 0;
    loop {
        if *stopping.borrow() {
            break;
        }
        let Some(message) = claim(pool).await? else {
            break;
        };
        let claimed = Instant::now();
        match mailer.send(&message).await {
            Ok(()) => {
                record_sent(pool, message.id, claimed).await?;
                delivered += 1;
            }
            Err(SendError::Never(err)) => {
                tracing::warn!(id = message.id, to = %message.to_address,
                    error = %format!("{err:#}"), "email cannot be sent; parked as failed");
                sqlx::query(
                    "UPDATE email_outbox SET failed_at = now(), last_error = $2 WHERE id = $1",
                )
                .bind(message.id)
                .bind(format!("{err:#}"))
                .execute(pool)
                .await?;
            }
            Err(SendError::Later(err)) => {
                let wait = retry_delay(message.attempts);
                tracing::warn!(id = message.id, attempts = message.attempts, retry_in_s = wait.as_secs(),
                    error = %format!("{err:#}"), "email delivery failed; will retry");
                sqlx::query(
                    "UPDATE email_outbox
                        SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3
                      WHERE id = $1",
                )
                .bind(message.id)
                .bind(wait.as_secs_f64())
                .bind(format!("{err:#}"))
                .execute(pool)
                .await?;
                // The server is probably down: leave the rest for the next round.
                break;
            }
        }
    }
    Ok(delivered)
}

/// Records a delivered message. The mail server has it now, so when the database does not
/// answer (a restart, a failover) the record is tried again while the lease lasts: giving up
/// would let another worker send the message a second time once the lease ends.
async fn record_sent(pool: &PgPool, id: i64, claimed: Instant) -> anyhow::Result<()> {
    loop {
        // A delivered confirmation marks its appointment (one statement, so both or none).
        let recorded = sqlx::query(
            "WITH sent AS (
                 UPDATE email_outbox SET sent_at = now(), last_error = NULL
                  WHERE id = $1 RETURNING confirms_appointment_id)
             UPDATE appointments SET confirmation_sent = TRUE
              WHERE id = (SELECT confirms_appointment_id FROM sent)",
        )
        .bind(id)
        .execute(pool)
        .await;
        match recorded {
            Ok(_) => return Ok(()),
            Err(err) if claimed.elapsed() + RECORD_RETRY * 2 < LEASE => {
                tracing::warn!(id, error = %err, "could not record a delivered email; trying again");
                tokio::time::sleep(RECORD_RETRY).await;
            }
            Err(err) => {
                return Err(anyhow::Error::new(err).context(format!(
                    "email {id} was delivered but could not be recorded as sent"
                )));
            }
        }
    }
}

/// Takes the oldest due message and reserves it for this worker.
async fn claim(pool: &PgPool) -> anyhow::Result<Option<QueuedEmail>> {
    let message = sqlx::query_as::<_, QueuedEmail>(
        "UPDATE email_outbox
            SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $1)
          WHERE id = (SELECT id FROM email_outbox
                       WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                       ORDER BY next_attempt_at, id
                       LIMIT 1
                       FOR UPDATE SKIP LOCKED)
          RETURNING id, to_address, subject, text_body, html_body, attachment_name,
                    attachment_type, attachment_body, attempts, created_at",
    )
    .bind(LEASE.as_secs_f64())
    .fetch_optional(pool)
    .await?;
    Ok(message)
}

/// The wait before the next try after `attempts` failed ones: doubling, capped at an hour.
fn retry_delay(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    FIRST_RETRY.saturating_mul(1 << doublings).min(MAX_RETRY)
}

/// Runs the delivery worker until `shutdown` turns true: it stops after the message in hand,
/// and its rounds are the `mail_delivery` job in `/metrics`.
pub fn spawn_worker(
    pool: PgPool,
    mailer: Mailer,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let run = crate::monitoring::JobRun::start("mail_delivery");
            let round = deliver_due_until(&pool, &mailer, &shutdown).await;
            run.finish(round.is_ok());
            if let Err(err) = round {
                tracing::error!(error = %format!("{err:#}"), "the email worker could not read the outbox");
            }
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_at_most_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(15));
        assert_eq!(retry_delay(2), Duration::from_secs(30));
        assert_eq!(retry_delay(3), Duration::from_secs(60));
        assert_eq!(retry_delay(9), Duration::from_secs(3600));
        assert_eq!(retry_delay(1000), Duration::from_secs(3600));
    }
}
