//! Appointments and what can happen to them: their states, the clinic's booking policy (holds,
//! refunds), the answers a booking gets, and the views of an appointment each party sees.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::money::Money;
use super::wallet::LedgerEntry;

/// `appointments.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppointmentStatus {
    /// Created without enough money: the slot is held while the patient tops up and pays.
    Pending,
    Confirmed,
    Completed,
    Cancelled,
}

impl AppointmentStatus {
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Confirmed,
        Self::Completed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// What a person reads on the badge.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Awaiting payment",
            Self::Confirmed => "Confirmed",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
        }
    }
}

impl FromStr for AppointmentStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| format!("unknown appointment status {value:?}"))
    }
}

impl TryFrom<String> for AppointmentStatus {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl fmt::Display for AppointmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// `payments.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    Pending,
    Completed,
    Failed,
    Refunded,
}

impl PaymentStatus {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Completed, Self::Failed, Self::Refunded];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting for payment",
            Self::Completed => "Paid",
            Self::Failed => "Not paid",
            Self::Refunded => "Refunded",
        }
    }
}

impl FromStr for PaymentStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| format!("unknown payment status {value:?}"))
    }
}

impl TryFrom<String> for PaymentStatus {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// The clinic's rules for holds, cancellations and wallet amounts (from the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingPolicy {
    /// How long a booking without enough money holds its slot for payment.
    pub payment_hold_minutes: u32,
    /// Cancelling at least this many hours before the start refunds the whole fee.
    pub free_cancellation_hours: u32,
    /// The share of the fee refunded when cancelling later than that (0 to 100).
    pub late_refund_percent: u8,
    /// The largest single top-up or withdrawal.
    pub max_wallet_amount: Money,
    /// The most unpaid holds one patient may have at once, so nobody can hold every free slot.
    pub max_unpaid_holds: u32,
}

impl Default for BookingPolicy {
    fn default() -> Self {
        Self {
            payment_hold_minutes: 15,
            free_cancellation_hours: 24,
            late_refund_percent: 50,
            max_wallet_amount: Money::from_decimal(Decimal::new(10_000, 0)),
            max_unpaid_holds: 2,
        }
    }
}

impl BookingPolicy {
    pub fn payment_hold(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.payment_hold_minutes))
    }

    pub fn free_cancellation(&self) -> TimeDelta {
        TimeDelta::hours(i64::from(self.free_cancellation_hours))
    }

    /// What a patient gets back for cancelling a paid appointment starting at `starts_at`, at
    /// `now`: everything up to the free-cancellation deadline, the late share after it (rounded
    /// down to the cent, so the clinic never refunds more than the rule says).
    pub fn patient_refund(
        &self,
        paid: Money,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Refund {
        let deadline = starts_at - self.free_cancellation();
        if now <= deadline {
            return Refund {
                amount: paid,
                rule: RefundRule::Full,
            };
        }
        let share = (paid.amount() * Decimal::from(self.late_refund_percent) / Decimal::from(100))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
        Refund {
            amount: Money::from_decimal(share),
            rule: RefundRule::Late {
                percent: self.late_refund_percent,
            },
        }
    }
}

/// How much a cancellation gives back, and by which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub amount: Money,
    pub rule: RefundRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundRule {
    /// Early enough (or cancelled by the clinic): the whole fee.
    Full,
    /// Late: this share of the fee.
    Late { percent: u8 },
    /// Nothing was paid yet (a pending booking), so nothing comes back.
    NothingPaid,
}

/// A key the browser sends with a booking or payment request, chosen when the form was shown:
/// the same key twice means the same request, answered once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RequestKey(String);

impl RequestKey {
    pub fn parse(text: &str) -> Result<Self, super::AppError> {
        let text = text.trim();
        let valid = (16..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(super::AppError::validation(
                "request_key",
                "This form has expired. Reload the page and try again.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh random key.
    #[cfg(feature = "ssr")]
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }
}

/// A free slot offered instead of one that was just taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    pub slot_id: i64,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
}

/// The answer to a booking request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookingOutcome {
    /// Paid from the wallet: the appointment is confirmed.
    Confirmed { appointment_id: i64 },
    /// Not enough money: the appointment waits for payment and the slot is held until then.
    AwaitingPayment {
        appointment_id: i64,
        hold_expires_at: DateTime<Utc>,
        /// How much more the wallet needs.
        shortfall: Money,
    },
    /// Someone else booked the slot first; these are the nearest free ones of the same doctor.
    SlotTaken { alternatives: Vec<Alternative> },
}

/// What the booking page shows before the patient confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingQuote {
    pub slot_id: i64,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub specialty: String,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub fee: Money,
    pub balance: Money,
    pub policy: BookingPolicy,
    /// The key this booking form sends (fresh for each time the page is shown).
    pub request_key: String,
}

/// The parties and time of an appointment, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AppointmentSummary {
    pub id: i64,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub specialty: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: AppointmentStatus,
    pub consultation_fee: Money,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub reviewed: bool,
}

/// What the person looking may do with an appointment right now (computed on the server,
/// which checks again when they do it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actions {
    pub pay: bool,
    pub cancel: bool,
    pub reschedule: bool,
    pub complete: bool,
    pub review: bool,
}

/// An appointment in a list, with what may be done to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentItem {
    pub appointment: AppointmentSummary,
    pub started: bool,
    pub actions: Actions,
}

/// The payment of an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PaymentView {
    pub amount: Money,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: PaymentStatus,
    pub transaction_id: String,
    pub paid_at: Option<DateTime<Utc>>,
    /// `paid_at` on the clinic's clock (filled in by the service).
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub paid_local: Option<NaiveDateTime>,
}

/// One appointment in full, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentDetail {
    pub item: AppointmentItem,
    pub notes: String,
    /// Instants on the clinic's clock, as slot times are (the service converts them).
    pub created_at: NaiveDateTime,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancellation_reason: String,
    pub rescheduled_to: Option<i64>,
    pub rescheduled_from: Option<i64>,
    pub completed_at: Option<NaiveDateTime>,
    /// When a held booking's hold ends, on the clinic's clock.
    pub hold_ends_at: Option<NaiveDateTime>,
    pub confirmation_sent: bool,
    pub payment: Option<PaymentView>,
    /// This visit's payment and refunds (no other wallet rows).
    pub ledger: Vec<VisitMovement>,
    /// What cancelling now would refund (when cancelling is allowed).
    pub cancel_refund: Option<Refund>,
    /// The patient's wallet balance (for paying a held booking).
    pub balance: Money,
    /// A fresh key for this page's forms.
    pub request_key: String,
    pub policy: BookingPolicy,
    /// Who is looking: the page words things for them.
    pub viewer: super::UserRole,
}

/// One wallet movement of a visit (its payment, a refund), as the appointment page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitMovement {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// The same instant on the clinic's clock.
    pub local_at: NaiveDateTime,
    pub transaction_type: super::wallet::TransactionType,
    /// Signed: positive adds to the patient's balance, negative takes from it.
    pub amount: Money,
    pub description: String,
    /// The patient's balance after it, for the patient and admins only: the visit's doctor sees
    /// what concerns the visit, never what the patient has in their wallet.
    pub balance_after: Option<Money>,
}

impl VisitMovement {
    /// The ledger row as `viewer` may see it.
    pub fn seen_by(entry: LedgerEntry, viewer: super::UserRole) -> Self {
        Self {
            id: entry.id,
            created_at: entry.created_at,
            local_at: entry.local_at,
            transaction_type: entry.transaction_type,
            amount: entry.amount,
            description: entry.description,
            balance_after: (viewer != super::UserRole::Doctor).then_some(entry.balance_after),
        }
    }
}

/// The free slots a confirmed appointment may move to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescheduleOptions {
    pub appointment: AppointmentSummary,
    pub slots: Vec<Alternative>,
    pub fee: Money,
    pub request_key: String,
}

/// A patient's appointments, split at now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAppointments {
    pub upcoming: Vec<AppointmentItem>,
    pub past: Vec<AppointmentItem>,
}

/// A doctor's schedule, or an admin's view of one doctor's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub upcoming: Vec<AppointmentItem>,
    /// Started, still confirmed: waiting to be marked completed.
    pub to_complete: Vec<AppointmentItem>,
    pub recent: Vec<AppointmentItem>,
}

/// The longest note a patient leaves with a booking (`appointments.notes` is TEXT: this is the
/// only limit; the doctor reads it on the appointment page before the visit).
pub const MAX_NOTES_CHARS: usize = 1_000;
/// The longest cancellation reason: the `appointments.cancellation_reason` column's
/// `VARCHAR(200)`.
pub const MAX_REASON_CHARS: usize = 200;

/// `notes` as typed: trimmed, at most [`MAX_NOTES_CHARS`] characters, line breaks allowed.
pub fn parse_notes(text: &str) -> Result<String, super::AppError> {
    super::text::parse_free_text(text, MAX_NOTES_CHARS, "The note")
        .map_err(|message| super::AppError::validation("notes", message))
}

/// A cancellation (or refund) reason as typed: trimmed, may be empty, at most
/// [`MAX_REASON_CHARS`] characters. The patient's email quotes it.
pub fn parse_reason(text: &str) -> Result<String, super::AppError> {
    super::text::parse_free_text(text, MAX_REASON_CHARS, "The reason")
        .map_err(|message| super::AppError::validation("reason", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str) -> Money {
        Money::parse(text).expect("literal")
    }

    #[test]
    fn early_cancellation_refunds_everything_and_late_the_configured_share() {
        let policy = BookingPolicy::default();
        let start = DateTime::parse_from_rfc3339("2026-12-10T10:00:00Z")
            .expect("literal")
            .with_timezone(&Utc);
        let full = policy.patient_refund(money("85.55"), start, start - TimeDelta::hours(24));
        assert_eq!(full.amount, money("85.55"));
        assert_eq!(full.rule, RefundRule::Full);
        let late = policy.patient_refund(
            money("85.55"),
            start,
            start - TimeDelta::hours(24) + TimeDelta::seconds(1),
        );
        // Half of 85.55 is 42.775: rounded down, never more than the rule.
        assert_eq!(late.amount, money("42.77"));
        assert_eq!(late.rule, RefundRule::Late { percent: 50 });
        let none = BookingPolicy {
            late_refund_percent: 0,
            ..policy
        }
        .patient_refund(money("85.55"), start, start);
        assert_eq!(none.amount, Money::ZERO);
    }

    #[test]
    fn request_keys_are_long_plain_tokens() {
        assert!(RequestKey::parse("0123456789abcdef").is_ok());
        assert!(RequestKey::parse("short").is_err());
        assert!(RequestKey::parse("0123456789abcdef'; DROP").is_err());
        assert!(RequestKey::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn statuses_round_trip_through_the_database_value() {
        for status in AppointmentStatus::ALL {
            assert_eq!(status.as_str().parse::<AppointmentStatus>(), Ok(status));
        }
        for status in PaymentStatus::ALL {
            assert_eq!(status.as_str().parse::<PaymentStatus>(), Ok(status));
        }
    }
}
