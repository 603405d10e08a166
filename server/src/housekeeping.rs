//! Periodic clean-up of rows that have served their purpose. Safe to run in several server
//! instances at once: each step is one idempotent DELETE.

use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;

const EVERY: Duration = Duration::from_secs(600);

/// The statements, with why each row may go.
const STEPS: &[(&str, &str)] = &[
    // Throttling looks back 15 minutes; a day is plenty for investigating abuse.
    (
        "old sign-in failures",
        "DELETE FROM sign_in_failures WHERE failed_at < now() - interval '1 day'",
    ),
    // Delivered mail carries one-time codes and personal details: keep it a month for support.
    (
        "delivered emails",
        "DELETE FROM email_outbox WHERE sent_at < now() - interval '30 days'",
    ),
    // Codes work for 10 minutes; a month of history is enough to answer "did you send me a code?".
    (
        "old one-time codes",
        "DELETE FROM otp_verifications WHERE expires_at < now() - interval '30 days'",
    ),
];

pub async fn run_once(pool: &PgPool) -> Result<(), sqlx::Error> {
    for (what, statement) in STEPS {
        let deleted = sqlx::query(statement).execute(pool).await?.rows_affected();
        if deleted > 0 {
            tracing::info!(deleted, "housekeeping: removed {what}");
        }
    }
    Ok(())
}

pub fn spawn(pool: PgPool, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = run_once(&pool).await {
                tracing::warn!(%err, "housekeeping failed; will try again");
            }
            tokio::select! {
                () = tokio::time::sleep(EVERY) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}
