//! Periodic upkeep: moving each doctor's next free slot past slots that have started, and
//! cleaning up rows that have served their purpose. Safe to run in several server instances at
//! once: each step is one idempotent statement.

use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;

/// Slots start on the minute, so the next-free values are moved on every minute...
const TICK: Duration = Duration::from_secs(60);
/// ...and the clean-up runs every tenth tick.
const CLEAN_UP_EVERY_TICKS: u32 = 10;

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

/// Moves `doctors.next_free_slot_at` past slots that have started (`time_zone` is the clinic's).
/// Returns how many doctors changed.
pub async fn refresh_next_free_slots(pool: &PgPool, time_zone: &str) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("SELECT refresh_next_free_slots(now() AT TIME ZONE $1)")
        .bind(time_zone)
        .fetch_one(pool)
        .await
}

pub fn spawn(
    pool: PgPool,
    time_zone: String,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for tick in 0u32.. {
            if let Err(err) = refresh_next_free_slots(&pool, &time_zone).await {
                tracing::warn!(%err, "refreshing next free slots failed; will try again");
            }
            if tick % CLEAN_UP_EVERY_TICKS == 0
                && let Err(err) = run_once(&pool).await
            {
                tracing::warn!(%err, "housekeeping failed; will try again");
            }
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}
