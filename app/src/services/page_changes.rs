//! Telling every server instance which public pages a committed change altered, so their page
//! caches forget exactly those (the server's `page_cache` listens).
//!
//! A change is announced right after its transaction commits, with PostgreSQL `NOTIFY` on
//! [`CHANNEL`], in a statement of its own. Never inside the change's transaction: PostgreSQL
//! serialises the commits of transactions that notify, flush included, and on this machine
//! that cut commits from 7,400 to 1,400 per second; a notification sent afterwards with an
//! asynchronous commit (it carries no data worth flushing) costs one short round trip.
//!
//! When the server shares its cache through Redis (`shared_state`), the announcement also moves
//! the changed pages' generations there before it returns, so no instance serves such a page
//! from the moment the change's answer goes out; PostgreSQL's listeners hear it a moment later.
//!
//! An announcement that fails is logged and forgotten: the change itself stands, and the
//! cache's lifetime bounds how long a page can miss it.

use sqlx::PgPool;

use super::changed_pages::Heard;

/// The notification channel the page caches listen on.
pub const CHANNEL: &str = "clinic_pages";

/// What a change may have altered on the public pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageChange<'a> {
    /// One doctor's page and the directory: their times, fee, profile, name or rating.
    Doctor(i64),
    /// The doctors owning these slots (looked up, so callers that only hold slot ids can say).
    SlotsOf(&'a [i64]),
    /// The doctor whose account this user id is (their name is on the public pages), if any.
    DoctorAccount(i64),
    /// The doctor of this appointment (booking, cancelling or moving it frees or takes a time).
    Appointment(i64),
    /// Who practises what: the home page's specialty counts and the directory (a doctor joined,
    /// left, or changed specialty). Announced beside that doctor's own change.
    Roster,
    /// Anything may show it (a specialty's name is on every page; bulk tools).
    Everything,
}

/// Announces `changes`, committed already, to every instance. Never fails the caller.
pub async fn announce(pool: &PgPool, changes: &[PageChange<'_>]) {
    match send(pool, changes).await {
        Ok(heard) => super::shared_state::pages_changed(&heard).await,
        Err(err) => {
            tracing::warn!(%err, ?changes, "could not announce a change to the page caches");
            // The listeners missed it; the shared cache need not.
            super::shared_state::pages_changed(&[Heard::Everything]).await;
        }
    }
}

/// Notifies the listeners, and says what they heard (the slots', accounts' and appointments'
/// doctors looked up).
async fn send(pool: &PgPool, changes: &[PageChange<'_>]) -> Result<Vec<Heard>, sqlx::Error> {
    let mut payloads = Vec::with_capacity(changes.len());
    let mut slots: Vec<i64> = Vec::new();
    let mut accounts: Vec<i64> = Vec::new();
    let mut appointments: Vec<i64> = Vec::new();
    for change in changes {
        match *change {
            PageChange::Doctor(id) => payloads.push(Heard::Doctor(id).payload()),
            PageChange::SlotsOf(ids) => slots.extend_from_slice(ids),
            PageChange::DoctorAccount(user_id) => accounts.push(user_id),
            PageChange::Appointment(id) => appointments.push(id),
            PageChange::Roster => payloads.push(Heard::Roster.payload()),
            PageChange::Everything => payloads.push(Heard::Everything.payload()),
        }
    }
    if payloads.is_empty() && slots.is_empty() && accounts.is_empty() && appointments.is_empty() {
        return Ok(Vec::new());
    }
    // One statement: its implicit transaction commits without waiting for the disk
    // (`set_config(..., true)` is local to it), and PostgreSQL delivers each distinct payload
    // once.
    let sent: Vec<String> = sqlx::query_scalar(
        "SELECT p, set_config('synchronous_commit', 'off', true), pg_notify($1, p)
           FROM (SELECT unnest($2::text[]) AS p
                 UNION
                 SELECT 'doctor:' || doctor_id FROM time_slots WHERE id = ANY($3)
                 UNION
                 SELECT 'doctor:' || id FROM doctors WHERE user_id = ANY($4)
                 UNION
                 SELECT 'doctor:' || doctor_id FROM appointments WHERE id = ANY($5)) AS changed",
    )
    .bind(CHANNEL)
    .bind(&payloads)
    .bind(&slots)
    .bind(&accounts)
    .bind(&appointments)
    .fetch_all(pool)
    .await?;
    Ok(sent
        .iter()
        .map(|payload| Heard::parse(payload).unwrap_or(Heard::Everything))
        .collect())
}
