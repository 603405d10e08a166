//! The email outbox: messages are written here in the same transaction as the change that
//! causes them; the server's delivery worker sends them (with retries) and marks them sent.

use sqlx::PgConnection;

use crate::domain::AppError;

/// One message, ready to send: a plain-text part and an HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Queues `email`. Runs on the caller's connection, so it commits or rolls back with the change.
pub async fn enqueue(conn: &mut PgConnection, email: &OutgoingEmail) -> Result<i64, AppError> {
    let id = sqlx::query_scalar(
        "INSERT INTO email_outbox (to_address, subject, text_body, html_body)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&email.to)
    .bind(&email.subject)
    .bind(&email.text)
    .bind(&email.html)
    .fetch_one(conn)
    .await?;
    Ok(id)
}
