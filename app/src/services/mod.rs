//! Business rules and SQL, one file per feature (server only). No Leptos types here; every
//! operation that writes is one database transaction.

pub mod accounts;
pub mod acting;
pub mod audit;
pub mod booking;
pub mod changed_pages;
pub mod clock;
pub mod codes;
pub mod counts;
pub mod csv;
pub mod dashboards;
pub mod directory;
pub mod doctor_records;
pub mod emails;
pub mod erasure;
pub mod gateway;
pub mod idempotency;
pub mod ledger;
pub mod listing;
pub mod outbox;
pub mod oversight;
pub mod page_changes;
pub mod passwords;
pub mod personal_data;
pub mod rate_limits;
pub mod reviews;
pub mod shared_state;
pub mod slots;
pub mod specialties;
pub mod users;
pub mod wallet;

/// Clinic-wide settings, parsed once from the server's configuration.
#[derive(Debug, Clone)]
pub struct ClinicSettings {
    /// The IANA name of the clinic's time zone (for example `Europe/Berlin`). Slot dates and
    /// times are local to it. Validated when the configuration is read.
    pub time_zone: String,
    /// The same zone, parsed. Slot times become instants only through `clock.rs`.
    pub tz: chrono_tz::Tz,
    /// Patients cannot book a slot that starts sooner than this from now.
    pub booking_notice: chrono::TimeDelta,
    /// Slots can be published at most this many days ahead.
    pub slot_horizon_days: u32,
    /// Where people reach the app (`https://clinic.example.org`), for links in emails.
    pub public_url: String,
    /// A session ends after this long without a request...
    pub session_idle: Duration,
    /// ...or this long with "remember me".
    pub session_remember: Duration,
    /// However active, a session ends this long after sign-in...
    pub session_absolute: Duration,
    /// ...or this long with "remember me".
    pub session_remember_absolute: Duration,
    /// Holds, refunds and wallet limits.
    pub booking: crate::domain::booking::BookingPolicy,
    /// Whether rate limits are enforced (always, but in load tests).
    pub rate_limits: rate_limits::Enforcement,
}

/// Session lengths are `time` durations, as the session layer uses them.
pub type Duration = tower_sessions::cookie::time::Duration;
