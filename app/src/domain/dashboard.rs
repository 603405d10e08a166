//! What each role's home page shows at a glance: read-only figures over appointments, payments,
//! the ledger, users, doctors, reviews and slots. Dates and times here are clinic-local.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::reviews::RatingSummary;

/// Days the admin's bookings chart covers, today included.
pub const CHART_DAYS: i64 = 30;
/// Months the doctor's earnings cover, this month included.
pub const EARNING_MONTHS: i64 = 6;

/// The admin's key figures and charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDashboard {
    pub today: NaiveDate,
    /// Appointments booked today, and this week (Monday to today).
    pub bookings_today: i64,
    pub bookings_week: i64,
    /// Completed payments: all time and the last 30 days.
    pub revenue_total: Decimal,
    pub revenue_30_days: Decimal,
    /// Appointments cancelled, and payments refunded (with their amount), in the last 30 days.
    pub cancellations_30_days: i64,
    pub refunds_30_days: i64,
    pub refunded_30_days: Decimal,
    /// Doctors in the directory (active profile and account).
    pub active_doctors: i64,
    /// Patients who registered in the last 30 days.
    pub new_patients_30_days: i64,
    /// Bookings per clinic day, the oldest first, [`CHART_DAYS`] of them ending today.
    pub bookings_per_day: Vec<DayCount>,
    /// Completed payments by the doctor's specialty, largest first (specialties with none left
    /// out).
    pub revenue_by_specialty: Vec<SpecialtyRevenue>,
    /// What became of the appointments booked in the last 30 days.
    pub outcomes_30_days: Outcomes,
    /// Emails that could never be sent (parked by the mail worker), all of them.
    pub failed_emails: i64,
    /// The latest of them, newest first, at most [`FAILED_EMAILS_SHOWN`].
    pub latest_failed_emails: Vec<FailedEmail>,
}

/// How many failed emails the admin's home lists.
pub const FAILED_EMAILS_SHOWN: i64 = 10;

/// An email the mail worker gave up on: to whom, about what, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedEmail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    /// When it was parked, on the clinic's clock.
    pub failed_at: NaiveDateTime,
    /// What the mailer or the mail server said.
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SpecialtyRevenue {
    pub specialty: String,
    pub revenue: Decimal,
    pub payments: i64,
}

/// Appointments by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Outcomes {
    pub pending: i64,
    pub confirmed: i64,
    pub completed: i64,
    pub cancelled: i64,
}

impl Outcomes {
    pub fn total(&self) -> i64 {
        self.pending + self.confirmed + self.completed + self.cancelled
    }

    /// Cancelled appointments as a whole percentage of all of them (0 when there are none).
    pub fn cancellation_percent(&self) -> i64 {
        match self.total() {
            0 => 0,
            total => (self.cancelled * 100 + total / 2) / total,
        }
    }
}

/// One appointment as a dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AgendaItem {
    pub appointment_id: i64,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub status: String,
    /// The other party: the patient for a doctor, "Dr. ..." for a patient.
    pub with_name: String,
    /// The doctor's specialty (for a patient's list).
    pub specialty: String,
    pub fee: Decimal,
}

/// A doctor's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorDashboard {
    pub today: NaiveDate,
    /// Today's live appointments (pending or confirmed) in time order.
    pub today_agenda: Vec<AgendaItem>,
    /// The live appointments of the next seven days after today.
    pub week_agenda: Vec<AgendaItem>,
    /// Confirmed appointments that have started and wait to be marked completed.
    pub to_complete: Vec<AgendaItem>,
    /// Completed appointments' fees by month, this month last.
    pub earnings: Vec<MonthEarnings>,
    pub rating: RatingSummary,
    /// Free slots from now to the end of next week.
    pub free_slots_ahead: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthEarnings {
    /// The first day of the month.
    pub month: NaiveDate,
    pub appointments: i64,
    pub fees: Decimal,
}

/// A patient's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientDashboard {
    pub today: NaiveDate,
    pub wallet_balance: Decimal,
    /// Live appointments that have not started, soonest first (the first is the next one).
    pub upcoming: Vec<AgendaItem>,
    /// Completed visits without a review yet.
    pub to_review: Vec<AgendaItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cancellation_rate_is_a_rounded_share_of_all_appointments() {
        let outcomes = Outcomes {
            pending: 1,
            confirmed: 3,
            completed: 4,
            cancelled: 1,
        };
        assert_eq!((outcomes.total(), outcomes.cancellation_percent()), (9, 11));
        assert_eq!(Outcomes::default().cancellation_percent(), 0);
    }
}
