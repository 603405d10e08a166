//! What a seeding did: the outcome, the rows loaded of each kind and the time it took, printed
//! as the table `seed-demo --scale` shows.

use std::time::Duration as StdDuration;

use chrono::NaiveDateTime;

/// What `seed` did.
#[derive(Debug)]
pub enum SeedOutcome {
    Seeded(SeedReport),
    /// The database already had data; nothing was changed.
    NotEmpty {
        users: i64,
        doctors: i64,
    },
}

/// How many rows of each kind were loaded, and how long it took.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub specialties: usize,
    pub doctors: usize,
    pub patients: usize,
    pub slots: usize,
    pub free_future_slots: usize,
    pub appointments: usize,
    pub completed: usize,
    pub confirmed: usize,
    pub cancelled: usize,
    pub payments: usize,
    pub ledger_entries: usize,
    pub reviews: usize,
    /// The clinic-local time the data set was generated around ("now").
    pub now_local: NaiveDateTime,
    /// A doctor's and a patient's username, to sign in with.
    pub sample_doctor: String,
    pub sample_patient: String,
    pub elapsed: StdDuration,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = group_thousands;
        writeln!(f, "  specialties          {:>12}", n(self.specialties))?;
        writeln!(f, "  doctors              {:>12}", n(self.doctors))?;
        writeln!(f, "  patients             {:>12}", n(self.patients))?;
        writeln!(
            f,
            "  time slots           {:>12}  ({} free in the future)",
            n(self.slots),
            n(self.free_future_slots)
        )?;
        writeln!(
            f,
            "  appointments         {:>12}  ({} completed, {} confirmed, {} cancelled)",
            n(self.appointments),
            n(self.completed),
            n(self.confirmed),
            n(self.cancelled)
        )?;
        writeln!(f, "  payments             {:>12}", n(self.payments))?;
        writeln!(f, "  wallet ledger rows   {:>12}", n(self.ledger_entries))?;
        writeln!(f, "  reviews              {:>12}", n(self.reviews))?;
        write!(
            f,
            "  total time           {:>10.1} s",
            self.elapsed.as_secs_f64()
        )
    }
}

/// 1234567 → "1,234,567".
pub(super) fn group_thousands(n: usize) -> String {
    app::domain::group_thousands(&n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}
