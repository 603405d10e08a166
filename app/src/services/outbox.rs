//! The email outbox: messages are written here in the same transaction as the change that
//! causes them; the server's delivery worker sends them (with retries) and marks them sent.

use sqlx::PgConnection;

use crate::domain::AppError;
use crate::domain::text::header_line;

/// The longest subject: the `email_outbox.subject` column's `VARCHAR(200)`.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// One message, ready to send: a plain-text part and an HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachment: Option<Attachment>,
    /// The appointment this email confirms: delivering it sets `confirmation_sent`.
    pub confirms_appointment: Option<i64>,
}

/// A file sent with an email (the calendar event of a confirmation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub body: String,
}

/// Queues `email`. Runs on the caller's connection, so it commits or rolls back with the change.
/// The subject is made one header line that fits its column here, whatever names and reasons
/// it quotes: a subject that did not fit would roll back the booking or refund that sends it.
pub async fn enqueue(conn: &mut PgConnection, email: &OutgoingEmail) -> Result<i64, AppError> {
    let id = sqlx::query_scalar(
        "INSERT INTO email_outbox (to_address, subject, text_body, html_body,
                                   attachment_name, attachment_type, attachment_body,
                                   confirms_appointment_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&email.to)
    .bind(header_line(&email.subject, MAX_SUBJECT_CHARS))
    .bind(&email.text)
    .bind(&email.html)
    .bind(email.attachment.as_ref().map(|a| &a.name))
    .bind(email.attachment.as_ref().map(|a| &a.content_type))
    .bind(email.attachment.as_ref().map(|a| &a.body))
    .bind(email.confirms_appointment)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Names the one-time code that the queued message `email_id` carries, so that the kept copy
/// loses it once the message is delivered (the housekeeping's "codes in delivered mail").
pub async fn carries_code(
    conn: &mut PgConnection,
    email_id: i64,
    code: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE email_outbox SET secret = $2 WHERE id = $1")
        .bind(email_id)
        .bind(code)
        .execute(conn)
        .await?;
    Ok(())
}
