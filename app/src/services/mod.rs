//! Business rules and SQL, one file per feature (server only). No Leptos types here; every
//! operation that writes is one database transaction.

pub mod doctors;
pub mod outbox;
pub mod passwords;
pub mod specialties;

/// Clinic-wide settings the services need, parsed once from the server's configuration.
#[derive(Debug, Clone)]
pub struct ClinicSettings {
    /// The IANA name of the clinic's time zone (for example `Europe/Berlin`). Slot dates and
    /// times are local to it. Validated when the configuration is read.
    pub time_zone: String,
}
