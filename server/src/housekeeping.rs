//! Periodic upkeep: settling card operations whose answer was lost, moving each doctor's next
//! free slot past slots that have started, ending unpaid holds, queueing reminders, and
//! cleaning up rows that have served their purpose. Safe to run in several server instances at
//! once: each step is one idempotent statement (or settles each row once under its lock).

use std::time::Duration;

use app::services::gateway::Gateway;
use app::services::{ClinicSettings, booking, wallet};
use chrono::{DateTime, Utc};
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
    // The longest rate-limit window is an hour.
    (
        "old rate-limit counters",
        "DELETE FROM rate_limit_counters WHERE window_start < now() - interval '1 day'",
    ),
    // Delivered (or undeliverable) mail is kept for support, the one-time codes in it are not
    // (nor in the invitation link, which carries the same code).
    (
        "codes in delivered mail",
        "UPDATE email_outbox
            SET text_body = replace(text_body, secret, '[code removed]'),
                html_body = replace(html_body, secret, '[code removed]'),
                secret = NULL
          WHERE secret IS NOT NULL AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)",
    ),
    // Delivered and undeliverable mail carries personal details: kept a month for support.
    (
        "delivered emails",
        "DELETE FROM email_outbox
          WHERE sent_at < now() - interval '30 days' OR failed_at < now() - interval '30 days'",
    ),
    // A request key answers repeats of a request (double clicks, retries): a day covers them.
    (
        "old request keys",
        "DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'",
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

/// Moves `doctors.next_free_slot_at` past slots that can no longer be booked: those starting
/// before now plus the booking notice. Returns how many doctors changed.
pub async fn refresh_next_free_slots(
    pool: &PgPool,
    settings: &ClinicSettings,
    now: DateTime<Utc>,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("SELECT refresh_next_free_slots($1)")
        .bind(settings.bookable_from(now))
        .fetch_one(pool)
        .await
}

pub fn spawn(
    pool: PgPool,
    settings: ClinicSettings,
    gateway: Gateway,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for tick in 0u32.. {
            // Card operations whose answer was lost (a timeout, a crash): the first tick runs
            // at start-up, so a restart settles what the last run left pending.
            match wallet::reconcile(&pool, gateway.0.as_ref(), Utc::now()).await {
                Ok(0) => {}
                Ok(settled) => tracing::info!(settled, "housekeeping: card operations reconciled"),
                Err(err) => {
                    tracing::warn!(%err, "reconciling card operations failed; will try again")
                }
            }
            if let Err(err) = refresh_next_free_slots(&pool, &settings, Utc::now()).await {
                tracing::warn!(%err, "refreshing next free slots failed; will try again");
            }
            match booking::expire_holds(&pool, Utc::now()).await {
                Ok(0) => {}
                Ok(ended) => tracing::info!(ended, "housekeeping: unpaid holds ended"),
                Err(err) => tracing::warn!(%err, "ending unpaid holds failed; will try again"),
            }
            match booking::queue_reminders(&pool, &settings, Utc::now()).await {
                Ok(0) => {}
                Ok(queued) => tracing::info!(queued, "housekeeping: reminders queued"),
                Err(err) => tracing::warn!(%err, "queueing reminders failed; will try again"),
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
