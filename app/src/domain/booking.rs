//! Appointments and what can happen to them: their states, the clinic's booking policy (holds,
//! refunds), the answers a booking gets, and the views of an appointment each party sees.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::money::Money;
use super::wallet::LedgerEntry;
use super::{AppError, UserRole};

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

    /// What cancelling an appointment (in `status`, `paid` or not, for `fee`, starting at
    /// `starts_at`) gives back at `now` when `by` cancels it; `None` when they cannot cancel it.
    /// A patient gets the policy's refund; the clinic (the doctor, an admin) refunds in full.
    pub fn refund_for(
        &self,
        by: UserRole,
        status: AppointmentStatus,
        paid: bool,
        fee: Money,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Refund> {
        let cancellable = match status {
            AppointmentStatus::Pending => true,
            // A patient can cancel until the start; the clinic also afterwards (a no-show doctor).
            AppointmentStatus::Confirmed => by != UserRole::Patient || starts_at > now,
            AppointmentStatus::Completed | AppointmentStatus::Cancelled => false,
        };
        if !cancellable {
            return None;
        }
        Some(if !paid {
            Refund {
                amount: Money::ZERO,
                rule: RefundRule::NothingPaid,
            }
        } else if by == UserRole::Patient {
            self.patient_refund(fee, starts_at, now)
        } else {
            Refund {
                amount: fee,
                rule: RefundRule::Full,
            }
        })
    }

    /// Refuses another unpaid hold when the patient already `holds` as many as the clinic
    /// allows: without a cap, one patient with an empty wallet could hold every free slot,
    /// again and again.
    pub fn check_unpaid_holds(&self, holds: i64) -> Result<(), AppError> {
        if holds >= i64::from(self.max_unpaid_holds) {
            return Err(AppError::Conflict(format!(
                "You already hold {holds} unpaid time{} for payment, the most at once. Top up your wallet and pay for {}, or cancel one, before booking another time without the money for it.",
                if holds == 1 { "" } else { "s" },
                if holds == 1 { "it" } else { "one" },
            )));
        }
        Ok(())
    }
}

/// How much a cancellation gives back, and by which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub amount: Money,
    pub rule: RefundRule,
}

impl Refund {
    /// What the appointment page tells the patient once it is cancelled.
    pub fn cancelled_message(&self) -> String {
        if self.amount > Money::ZERO {
            format!("Cancelled. {} is back in your wallet.", self.amount)
        } else {
            "Cancelled.".to_owned()
        }
    }

    /// What the payments list tells the admin who refunded a payment.
    pub fn refunded_message(&self) -> String {
        format!("Refunded {}; the appointment is cancelled.", self.amount)
    }
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

impl Refund {
    /// Refuses a patient's cancellation unless they named this refund (`expected`, the one they
    /// were shown), so a deadline passing between showing and confirming never surprises them.
    pub fn confirm(&self, expected: Option<Money>) -> Result<(), AppError> {
        match expected {
            Some(expected) if expected == self.amount => Ok(()),
            _ => Err(AppError::Conflict(format!(
                "Cancelling now refunds {}{}. Please confirm again.",
                self.amount,
                match self.rule {
                    RefundRule::Late { percent } =>
                        format!(" ({percent}% of the fee: the free cancellation period has ended)"),
                    _ => String::new(),
                }
            ))),
        }
    }
}

/// Refuses a slot that starts too soon to book, saying until when booking was open. `starts_at`
/// is its start (`None` when that time does not exist in the clinic's time zone); bookings
/// close `notice` before the start.
pub fn check_notice(
    starts_at: Option<DateTime<Utc>>,
    notice: TimeDelta,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let starts_at = starts_at.ok_or_else(|| {
        AppError::Conflict("This time does not exist in the clinic's time zone.".to_owned())
    })?;
    if starts_at <= now {
        return Err(AppError::Conflict(
            "This time has already passed. Choose a later one.".to_owned(),
        ));
    }
    if starts_at <= now + notice {
        let hours = notice.num_minutes() as f64 / 60.0;
        return Err(AppError::Conflict(format!(
            "This time starts too soon: bookings close {} before the start. Choose a later one.",
            if hours >= 1.0 && hours.fract() == 0.0 {
                format!("{hours:.0} hour{}", if hours == 1.0 { "" } else { "s" })
            } else {
                format!("{} minutes", notice.num_minutes())
            }
        )));
    }
    Ok(())
}

/// Whether an appointment starting at `starts_at` has started at `now` (one whose time does not
/// exist on the clinic's clock counts as started).
fn has_started(starts_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    starts_at.is_none_or(|at| at <= now)
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

impl Actions {
    /// What `viewer` may do with `appointment` at `now`; `starts_at` is its start (`None` when
    /// that time does not exist on the clinic's clock).
    pub fn allowed(
        policy: &BookingPolicy,
        viewer: UserRole,
        appointment: &AppointmentSummary,
        starts_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        let status = appointment.status;
        let patient = viewer == UserRole::Patient;
        let cancel = policy
            .refund_for(
                viewer,
                status,
                status == AppointmentStatus::Confirmed,
                appointment.consultation_fee,
                starts_at.unwrap_or(now),
                now,
            )
            .is_some();
        Self {
            pay: patient
                && status == AppointmentStatus::Pending
                && appointment.hold_expires_at.is_some_and(|until| until > now),
            cancel,
            reschedule: patient
                && status == AppointmentStatus::Confirmed
                && starts_at.is_some_and(|at| now <= at - policy.free_cancellation()),
            complete: !patient
                && status == AppointmentStatus::Confirmed
                && has_started(starts_at, now),
            review: patient && status == AppointmentStatus::Completed && !appointment.reviewed,
        }
    }
}

/// An appointment in a list, with what may be done to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentItem {
    pub appointment: AppointmentSummary,
    pub started: bool,
    pub actions: Actions,
}

impl AppointmentItem {
    /// `appointment` as `viewer` sees it listed at `now` (`starts_at` as for [`Actions::allowed`]).
    pub fn new(
        policy: &BookingPolicy,
        viewer: UserRole,
        appointment: AppointmentSummary,
        starts_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            started: has_started(starts_at, now),
            actions: Actions::allowed(policy, viewer, &appointment, starts_at, now),
            appointment,
        }
    }
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
    pub viewer: UserRole,
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
    pub fn seen_by(entry: LedgerEntry, viewer: UserRole) -> Self {
        Self {
            id: entry.id,
            created_at: entry.created_at,
            local_at: entry.local_at,
            transaction_type: entry.transaction_type,
            amount: entry.amount,
            description: entry.description,
            balance_after: (viewer != UserRole::Doctor).then_some(entry.balance_after),
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
pub fn parse_notes(text: &str) -> Result<String, AppError> {
    super::text::parse_free_text(text, MAX_NOTES_CHARS, "The note")
        .map_err(|message| AppError::validation("notes", message))
}

/// A cancellation (or refund) reason as typed: trimmed, may be empty, at most
/// [`MAX_REASON_CHARS`] characters. The patient's email quotes it.
pub fn parse_reason(text: &str) -> Result<String, AppError> {
    super::text::parse_free_text(text, MAX_REASON_CHARS, "The reason")
        .map_err(|message| AppError::validation("reason", message))
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
    fn statuses_round_trip_through_the_database_value() {
        for status in AppointmentStatus::ALL {
            assert_eq!(status.as_str().parse::<AppointmentStatus>(), Ok(status));
        }
        for status in PaymentStatus::ALL {
            assert_eq!(status.as_str().parse::<PaymentStatus>(), Ok(status));
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("literal")
            .with_timezone(&Utc)
    }

    fn refused(result: Result<(), AppError>) -> String {
        match result {
            Err(AppError::Conflict(message)) => message,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn a_slot_is_bookable_only_after_the_notice() {
        let now = at("2026-12-10T08:00:00Z");
        let hours = TimeDelta::hours;
        let too_soon = |starts_at, notice| refused(check_notice(Some(starts_at), notice, now));
        assert!(refused(check_notice(None, hours(2), now)).contains("does not exist"));
        assert!(too_soon(now, hours(2)).contains("already passed"));
        assert_eq!(
            too_soon(now + hours(2), hours(2)),
            "This time starts too soon: bookings close 2 hours before the start. Choose a later one."
        );
        assert!(too_soon(now + hours(1), hours(1)).contains("close 1 hour before"));
        let ninety = TimeDelta::minutes(90);
        assert!(too_soon(now + hours(1), ninety).contains("close 90 minutes before"));
        let just_after = now + hours(2) + TimeDelta::seconds(1);
        assert_eq!(check_notice(Some(just_after), hours(2), now), Ok(()));
    }

    #[test]
    fn the_clinic_refunds_in_full_and_a_patient_by_the_policy() {
        let policy = BookingPolicy::default();
        let start = at("2026-12-10T10:00:00Z");
        let fee = money("80.00");
        let refund = |by, status, paid, now| policy.refund_for(by, status, paid, fee, start, now);
        let late = start - TimeDelta::hours(1);
        let early = start - TimeDelta::hours(25);
        use AppointmentStatus::{Cancelled, Completed, Confirmed, Pending};
        let nothing = Some(Refund {
            amount: Money::ZERO,
            rule: RefundRule::NothingPaid,
        });
        let full = Some(Refund {
            amount: fee,
            rule: RefundRule::Full,
        });
        assert_eq!(refund(UserRole::Patient, Pending, false, late), nothing);
        assert_eq!(refund(UserRole::Patient, Confirmed, false, late), nothing);
        assert_eq!(refund(UserRole::Patient, Confirmed, true, early), full);
        assert_eq!(
            refund(UserRole::Patient, Confirmed, true, late),
            Some(Refund {
                amount: money("40.00"),
                rule: RefundRule::Late { percent: 50 },
            })
        );
        assert_eq!(refund(UserRole::Doctor, Confirmed, true, late), full);
        // After the start only the clinic may cancel (a doctor who did not show up).
        assert_eq!(refund(UserRole::Patient, Confirmed, true, start), None);
        assert_eq!(refund(UserRole::Admin, Confirmed, true, start), full);
        for by in [UserRole::Patient, UserRole::Doctor, UserRole::Admin] {
            assert_eq!(refund(by, Completed, true, early), None);
            assert_eq!(refund(by, Cancelled, false, early), None);
        }
    }

    #[test]
    fn a_cancellation_names_the_refund_it_was_shown() {
        let late = Refund {
            amount: money("40.00"),
            rule: RefundRule::Late { percent: 50 },
        };
        assert_eq!(late.confirm(Some(money("40.00"))), Ok(()));
        assert_eq!(
            refused(late.confirm(Some(money("80.00")))),
            "Cancelling now refunds $40.00 (50% of the fee: the free cancellation period has ended). Please confirm again."
        );
        let full = Refund {
            amount: money("80.00"),
            rule: RefundRule::Full,
        };
        assert_eq!(
            refused(full.confirm(None)),
            "Cancelling now refunds $80.00. Please confirm again."
        );
    }

    #[test]
    fn unpaid_holds_are_capped() {
        let policy = BookingPolicy::default();
        assert_eq!(policy.check_unpaid_holds(1), Ok(()));
        assert!(refused(policy.check_unpaid_holds(2)).starts_with(
            "You already hold 2 unpaid times for payment, the most at once. Top up your wallet and pay for one,"
        ));
        let one = BookingPolicy {
            max_unpaid_holds: 1,
            ..policy
        };
        assert!(refused(one.check_unpaid_holds(1)).starts_with(
            "You already hold 1 unpaid time for payment, the most at once. Top up your wallet and pay for it,"
        ));
    }

    fn summary(status: AppointmentStatus) -> AppointmentSummary {
        AppointmentSummary {
            id: 1,
            doctor_id: 2,
            doctor_name: "Dr. Ada Hart".to_owned(),
            specialty: "Cardiology".to_owned(),
            patient_id: 3,
            patient_name: "Ann Lee".to_owned(),
            date: NaiveDate::from_ymd_opt(2026, 12, 10).expect("literal"),
            start_time: NaiveTime::from_hms_opt(10, 0, 0).expect("literal"),
            end_time: NaiveTime::from_hms_opt(10, 30, 0).expect("literal"),
            status,
            consultation_fee: money("80.00"),
            hold_expires_at: None,
            reviewed: false,
        }
    }

    /// The actions allowed, by name.
    fn names(a: Actions) -> String {
        let all = [
            (a.pay, "pay"),
            (a.cancel, "cancel"),
            (a.reschedule, "reschedule"),
            (a.complete, "complete"),
            (a.review, "review"),
        ];
        let allowed: Vec<&str> = all.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
        allowed.join(" ")
    }

    #[test]
    fn each_party_may_do_what_the_appointment_allows() {
        use AppointmentStatus::{Cancelled, Completed, Confirmed, Pending};
        use UserRole::{Admin, Doctor, Patient};
        let policy = BookingPolicy::default();
        let start = at("2026-12-10T10:00:00Z");
        let early = start - TimeDelta::hours(48);
        let late = start - TimeDelta::hours(1);
        let hold_over = early + TimeDelta::minutes(15);
        let cases = [
            (Patient, Pending, early, "pay cancel"),
            (Patient, Pending, hold_over, "cancel"),
            (Doctor, Pending, early, "cancel"),
            (Patient, Confirmed, early, "cancel reschedule"),
            (Patient, Confirmed, late, "cancel"),
            (Patient, Confirmed, start, ""),
            (Admin, Confirmed, early, "cancel"),
            (Doctor, Confirmed, start, "cancel complete"),
            (Admin, Confirmed, start, "cancel complete"),
            (Patient, Completed, start, "review"),
            (Doctor, Completed, start, ""),
            (Patient, Cancelled, early, ""),
        ];
        for (viewer, status, now, expected) in cases {
            let mut appointment = summary(status);
            appointment.hold_expires_at = Some(hold_over);
            let allowed = Actions::allowed(&policy, viewer, &appointment, Some(start), now);
            assert_eq!(names(allowed), expected, "{viewer:?} {status:?} at {now}");
        }
        let mut reviewed = summary(Completed);
        reviewed.reviewed = true;
        let allowed = Actions::allowed(&policy, Patient, &reviewed, Some(start), start);
        assert_eq!(allowed, Actions::default());
    }

    #[test]
    fn a_listed_appointment_says_whether_it_started() {
        let policy = BookingPolicy::default();
        let start = at("2026-12-10T10:00:00Z");
        let just_before = start - TimeDelta::seconds(1);
        // A time the clocks skipped counts as started, so it can be completed.
        for (starts_at, now, started) in [
            (Some(start), just_before, false),
            (Some(start), start, true),
            (None, just_before, true),
        ] {
            let confirmed = summary(AppointmentStatus::Confirmed);
            let item = AppointmentItem::new(&policy, UserRole::Doctor, confirmed, starts_at, now);
            assert_eq!((item.started, item.actions.complete), (started, started));
            assert_eq!(item.appointment.id, 1);
        }
    }
}
