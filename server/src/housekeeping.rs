//! Periodic upkeep: settling card operations whose answer was lost, moving each doctor's next
//! free slot past slots that have started, ending unpaid holds, queueing reminders, and
//! cleaning up rows that have served their purpose after the ages the configuration keeps them
//! (`CLINIC_RETAIN_*`). Safe to run in several server instances at once: each step is one
//! idempotent statement (or settles each row once under its lock). Each job's runs, duration
//! and failures, and each clean-up step's rows, are in `/metrics`.

use std::time::Duration;

use app::services::gateway::Gateway;
use app::services::{ClinicSettings, booking, wallet};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::sync::watch;

use crate::config::Retention;
use crate::monitoring::JobRun;

/// Slots start on the minute, so the next-free values are moved on every minute...
const TICK: Duration = Duration::from_secs(60);
/// ...and the clean-up runs every tenth tick.
const CLEAN_UP_EVERY_TICKS: u32 = 10;
/// The most audit entries stripped of their detail in one run, so the first run over years of
/// history is not one enormous transaction; the rest follow on the next runs.
const AUDIT_BATCH: i64 = 10_000;

/// One clean-up statement: its name (in logs and `/metrics`), the age it keeps rows for, bound
/// as `$1` (days), when it has one, and the most rows one run changes, bound as `$2`.
struct Step {
    name: &'static str,
    statement: &'static str,
    keep_days: Option<fn(&Retention) -> u32>,
    batch: Option<i64>,
}

/// The statements, with why each row may go.
const STEPS: &[Step] = &[
    // Throttling looks back an hour at most; the rest is for investigating abuse.
    Step {
        name: "sign_in_failures",
        statement: "DELETE FROM sign_in_failures WHERE failed_at < now() - make_interval(days => $1)",
        keep_days: Some(|r| r.throttling_days),
        batch: None,
    },
    Step {
        name: "rate_limit_counters",
        statement: "DELETE FROM rate_limit_counters
                     WHERE window_start < now() - make_interval(days => $1)",
        keep_days: Some(|r| r.throttling_days),
        batch: None,
    },
    // Delivered (or undeliverable) mail is kept for support, the one-time codes in it are not
    // (nor in the invitation link, which carries the same code).
    Step {
        name: "codes_in_delivered_mail",
        statement: "UPDATE email_outbox
                       SET text_body = replace(text_body, secret, '[code removed]'),
                           html_body = replace(html_body, secret, '[code removed]'),
                           secret = NULL
                     WHERE secret IS NOT NULL AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)",
        keep_days: None,
        batch: None,
    },
    // Delivered and undeliverable mail carries personal details: kept a while for support.
    Step {
        name: "delivered_mail",
        statement: "DELETE FROM email_outbox
                     WHERE sent_at < now() - make_interval(days => $1)
                        OR failed_at < now() - make_interval(days => $1)",
        keep_days: Some(|r| r.mail_days),
        batch: None,
    },
    // A request key answers repeats of a request (double clicks, retries).
    Step {
        name: "request_keys",
        statement: "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(days => $1)",
        keep_days: Some(|r| r.request_keys_days),
        batch: None,
    },
    // Codes work for minutes; some history answers "did you send me a code?".
    Step {
        name: "one_time_codes",
        statement: "DELETE FROM otp_verifications WHERE expires_at < now() - make_interval(days => $1)",
        keep_days: Some(|r| r.codes_days),
        batch: None,
    },
    // An expired session never signs anyone in again (the store reads only live ones).
    Step {
        name: "expired_sessions",
        statement: "DELETE FROM tower_sessions.session
                     WHERE expiry_date < now() - make_interval(days => $1)",
        keep_days: Some(|r| r.sessions_days),
        batch: None,
    },
    // Old audit entries keep who did what to which record and when; the values before and
    // after (names, reasons, notes) go. The audit log's guard allows exactly this change.
    Step {
        name: "audit_detail",
        statement: "UPDATE audit_log SET before = NULL, after = NULL
                     WHERE id IN (SELECT id FROM audit_log
                                   WHERE created_at < now() - make_interval(days => $1)
                                     AND (before IS NOT NULL OR after IS NOT NULL)
                                   ORDER BY created_at
                                   LIMIT $2)",
        keep_days: Some(|r| r.audit_detail_days),
        batch: Some(AUDIT_BATCH),
    },
];

/// Runs every clean-up step once, with the ages in `retention`.
pub async fn clean_up(pool: &PgPool, retention: &Retention) -> Result<(), sqlx::Error> {
    let (_keep_going, never_stopping) = watch::channel(false);
    clean_up_until(pool, retention, &never_stopping).await
}

/// Runs the clean-up steps in order, each one statement in its own transaction, until
/// `stopping` turns true (then between two steps, so nothing is left half done). A failing step
/// does not keep the others from running; the first failure is returned.
async fn clean_up_until(
    pool: &PgPool,
    retention: &Retention,
    stopping: &watch::Receiver<bool>,
) -> Result<(), sqlx::Error> {
    let mut first_failure = None;
    for step in STEPS {
        if *stopping.borrow() {
            break;
        }
        let mut query = sqlx::query(step.statement);
        if let Some(keep_days) = step.keep_days {
            query = query.bind(i32::try_from(keep_days(retention)).unwrap_or(i32::MAX));
        }
        if let Some(batch) = step.batch {
            query = query.bind(batch);
        }
        let outcome = query.execute(pool).await.map(|done| done.rows_affected());
        crate::monitoring::retention_step(step.name, &outcome);
        match outcome {
            Ok(0) => {}
            Ok(rows) => tracing::info!(rows, step = step.name, "housekeeping: cleaned up"),
            Err(err) => {
                tracing::warn!(%err, step = step.name, "housekeeping: a clean-up step failed; will try again");
                first_failure.get_or_insert(err);
            }
        }
    }
    first_failure.map_or(Ok(()), Err)
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

/// Runs the upkeep every minute until `shutdown` turns true. A shutdown waits for the step in
/// hand (one statement, or one row's transaction) and skips the rest of the tick.
pub fn spawn(
    pool: PgPool,
    settings: ClinicSettings,
    retention: Retention,
    gateway: Gateway,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for tick in 0u32.. {
            let stopping = || *shutdown.borrow();
            // Card operations whose answer was lost (a timeout, a crash): the first tick runs
            // at start-up, so a restart settles what the last run left pending.
            let run = JobRun::start("card_reconciliation");
            match wallet::reconcile(&pool, gateway.0.as_ref(), Utc::now()).await {
                Ok(0) => run.finish(true),
                Ok(settled) => {
                    run.finish(true);
                    tracing::info!(settled, "housekeeping: card operations reconciled")
                }
                Err(err) => {
                    run.finish(false);
                    tracing::warn!(%err, "reconciling card operations failed; will try again")
                }
            }
            if stopping() {
                break;
            }
            let run = JobRun::start("next_free_slots");
            let refreshed = refresh_next_free_slots(&pool, &settings, Utc::now()).await;
            run.finish(refreshed.is_ok());
            if let Err(err) = refreshed {
                tracing::warn!(%err, "refreshing next free slots failed; will try again");
            }
            if stopping() {
                break;
            }
            let run = JobRun::start("hold_expiry");
            match booking::expire_holds(&pool, Utc::now()).await {
                Ok(0) => run.finish(true),
                Ok(ended) => {
                    run.finish(true);
                    tracing::info!(ended, "housekeeping: unpaid holds ended")
                }
                Err(err) => {
                    run.finish(false);
                    tracing::warn!(%err, "ending unpaid holds failed; will try again")
                }
            }
            if stopping() {
                break;
            }
            let run = JobRun::start("reminders");
            match booking::queue_reminders(&pool, &settings, Utc::now()).await {
                Ok(0) => run.finish(true),
                Ok(queued) => {
                    run.finish(true);
                    tracing::info!(queued, "housekeeping: reminders queued")
                }
                Err(err) => {
                    run.finish(false);
                    tracing::warn!(%err, "queueing reminders failed; will try again")
                }
            }
            if tick % CLEAN_UP_EVERY_TICKS == 0 && !stopping() {
                let run = JobRun::start("retention");
                let cleaned = clean_up_until(&pool, &retention, &shutdown).await;
                run.finish(cleaned.is_ok());
            }
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                _ = shutdown.changed() => break,
            }
        }
    })
}
