//! What the admin oversees beyond accounts: every appointment, every payment and every wallet
//! movement, each as a filtered, paged list (and the same filters for its CSV download).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::admin::{DateRange, parse_search};
use super::booking::{AppointmentStatus, PaymentStatus};
use super::money::Money;
use super::reviews::{page_count, parse_page};
use super::wallet::TransactionType;
use super::{AppError, UserRole};

/// Rows per page of each list.
pub const ROWS_PER_PAGE: i64 = 25;

/// One page of a list, with how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage<T> {
    pub rows: Vec<T>,
    pub matching: i64,
    pub page: i64,
    pub pages: i64,
    /// A fresh key for the forms of this page; each row's form adds its row's id.
    pub request_key: String,
}

impl<T> ListPage<T> {
    pub fn new(rows: Vec<T>, matching: i64, page: i64, request_key: String) -> Self {
        Self {
            rows,
            matching,
            page,
            pages: page_count(matching, ROWS_PER_PAGE),
            request_key,
        }
    }
}

/// `""` or `"all"` is no filter; anything else must be one of `choices` (by `as_str`).
fn parse_choice<T: Copy>(
    text: &str,
    choices: &[T],
    as_str: fn(T) -> &'static str,
    field: &str,
    message: &str,
) -> Result<Option<T>, AppError> {
    match text.trim() {
        "" | "all" => Ok(None),
        text => choices
            .iter()
            .copied()
            .find(|choice| as_str(*choice) == text)
            .map(Some)
            .ok_or_else(|| AppError::validation(field, message)),
    }
}

/// The appointments list's filters: part of the patient's name, username or email; part of the
/// doctor's name or license number; a status; a range of appointment dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentQuery {
    pub patient: String,
    pub doctor: String,
    pub status: Option<AppointmentStatus>,
    pub dates: DateRange,
    pub page: i64,
}

impl AppointmentQuery {
    pub fn parse(
        patient: &str,
        doctor: &str,
        status: &str,
        from: &str,
        to: &str,
        page: &str,
    ) -> Result<Self, AppError> {
        Ok(Self {
            patient: parse_search(patient, "patient")?,
            doctor: parse_search(doctor, "doctor")?,
            status: parse_choice(
                status,
                &AppointmentStatus::ALL,
                AppointmentStatus::as_str,
                "status",
                "Choose awaiting payment, confirmed, completed, cancelled or all.",
            )?,
            dates: DateRange::parse(from, to)?,
            page: parse_page(page)?,
        })
    }
}

/// One appointment in the admin's list. Dates and times are the clinic's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AppointmentRow {
    pub id: i64,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub specialty: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub patient_email: String,
    pub status: AppointmentStatus,
    pub consultation_fee: Money,
    /// `None` for a free appointment (nothing to pay).
    pub payment_status: Option<PaymentStatus>,
    pub created_at: DateTime<Utc>,
}

impl AppointmentRow {
    /// An admin may cancel what has not ended one way or the other: a held booking, or a
    /// confirmed one even after its start (a doctor who did not come). A paid one is refunded
    /// in full.
    pub fn cancellable(&self) -> bool {
        matches!(
            self.status,
            AppointmentStatus::Pending | AppointmentStatus::Confirmed
        )
    }

    /// What cancelling gives back: the fee if it was paid, else nothing.
    pub fn refund_on_cancel(&self) -> Money {
        if self.payment_status == Some(PaymentStatus::Completed) {
            self.consultation_fee
        } else {
            Money::ZERO
        }
    }
}

/// The payments list's filters: part of the reference or of the patient's name, username or
/// email; a status; a range of clinic-local dates the payment was created on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentQuery {
    pub search: String,
    pub status: Option<PaymentStatus>,
    pub dates: DateRange,
    pub page: i64,
}

impl PaymentQuery {
    pub fn parse(
        search: &str,
        status: &str,
        from: &str,
        to: &str,
        page: &str,
    ) -> Result<Self, AppError> {
        Ok(Self {
            search: parse_search(search, "q")?,
            status: parse_choice(
                status,
                &PaymentStatus::ALL,
                PaymentStatus::as_str,
                "status",
                "Choose waiting, paid, not paid, refunded or all.",
            )?,
            dates: DateRange::parse(from, to)?,
            page: parse_page(page)?,
        })
    }
}

/// One payment in the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PaymentRow {
    pub id: i64,
    pub transaction_id: String,
    pub amount: Money,
    pub status: PaymentStatus,
    pub created_at: DateTime<Utc>,
    /// When the money was taken, on the clinic's clock (filled in by the service).
    pub paid_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub paid_local: Option<NaiveDateTime>,
    /// What the refund gave back, once there is one (it may be part of the amount).
    pub refunded: Option<Money>,
    pub appointment_id: i64,
    pub appointment_status: AppointmentStatus,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub doctor_name: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub patient_email: String,
}

impl PaymentRow {
    /// A completed payment of a visit that has not taken place can be refunded in full, which
    /// cancels the visit. (A refund always belongs to a cancelled appointment: the ledger's
    /// invariants say so.)
    pub fn refundable(&self) -> bool {
        self.status == PaymentStatus::Completed
            && self.appointment_status == AppointmentStatus::Confirmed
    }
}

/// The wallet transactions list's filters: part of the owner's name, username or email; a type;
/// a range of clinic-local dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionQuery {
    pub search: String,
    pub kind: Option<TransactionType>,
    pub dates: DateRange,
    pub page: i64,
}

impl TransactionQuery {
    pub fn parse(
        search: &str,
        kind: &str,
        from: &str,
        to: &str,
        page: &str,
    ) -> Result<Self, AppError> {
        Ok(Self {
            search: parse_search(search, "q")?,
            kind: parse_choice(
                kind,
                &TransactionType::ALL,
                TransactionType::as_str,
                "kind",
                "Choose top-ups, withdrawals, payments, refunds or all.",
            )?,
            dates: DateRange::parse(from, to)?,
            page: parse_page(page)?,
        })
    }
}

/// One ledger row in the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TransactionRow {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// The same instant on the clinic's clock (filled in by the service).
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub local_at: NaiveDateTime,
    pub user_id: i64,
    pub username: String,
    pub user_name: String,
    pub role: UserRole,
    pub transaction_type: TransactionType,
    /// Signed: positive adds to the balance.
    pub amount: Money,
    pub balance_after: Money,
    pub description: String,
    pub appointment_id: Option<i64>,
}

/// The doctors list's filters: part of the name, email or license number, and a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorQuery {
    pub search: String,
    pub status: Option<DoctorStatus>,
    pub page: i64,
}

/// Where a doctor's record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DoctorStatus {
    /// Listed in the directory and bookable.
    Active,
    /// Active, but the doctor has not chosen a password yet.
    Invited,
    /// Out of the directory.
    Inactive,
}

impl DoctorStatus {
    pub const ALL: [Self; 3] = [Self::Active, Self::Invited, Self::Inactive];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Invited => "invited",
            Self::Inactive => "inactive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Invited => "Invitation sent",
            Self::Inactive => "Inactive",
        }
    }

    pub fn of(is_active: bool, password_set: bool) -> Self {
        match (is_active, password_set) {
            (false, _) => Self::Inactive,
            (true, false) => Self::Invited,
            (true, true) => Self::Active,
        }
    }
}

impl DoctorQuery {
    pub fn parse(search: &str, status: &str, page: &str) -> Result<Self, AppError> {
        Ok(Self {
            search: parse_search(search, "q")?,
            status: parse_choice(
                status,
                &DoctorStatus::ALL,
                DoctorStatus::as_str,
                "status",
                "Choose active, invitation sent, inactive or all.",
            )?,
            page: parse_page(page)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appointment_filters_parse_or_name_the_bad_field() {
        let query =
            AppointmentQuery::parse(" ann ", "lee", "confirmed", "2030-01-01", "2030-01-31", "3")
                .expect("valid");
        assert_eq!(query.patient, "ann");
        assert_eq!(query.status, Some(AppointmentStatus::Confirmed));
        assert_eq!(query.dates.from, NaiveDate::from_ymd_opt(2030, 1, 1));
        assert_eq!(query.page, 3);
        let all = AppointmentQuery::parse("", "", "all", "", "", "").expect("valid");
        assert_eq!((all.status, all.page), (None, 1));
        let err = AppointmentQuery::parse("", "", "lost", "", "", "").expect_err("status");
        assert!(err.message_for("status").is_some());
        let err = AppointmentQuery::parse("", "", "", "2030-02-01", "2030-01-01", "")
            .expect_err("backwards");
        assert!(err.message_for("to").is_some());
    }

    #[test]
    fn payment_transaction_and_doctor_filters_parse() {
        let payments = PaymentQuery::parse("pay_", "refunded", "", "", "").expect("valid");
        assert_eq!(payments.status, Some(PaymentStatus::Refunded));
        assert!(
            PaymentQuery::parse("", "stolen", "", "", "")
                .expect_err("status")
                .message_for("status")
                .is_some()
        );
        let ledger = TransactionQuery::parse("", "refund", "", "2030-01-31", "").expect("valid");
        assert_eq!(ledger.kind, Some(TransactionType::Refund));
        assert!(
            TransactionQuery::parse("", "gift", "", "", "")
                .expect_err("kind")
                .message_for("kind")
                .is_some()
        );
        let doctors = DoctorQuery::parse("", "invited", "2").expect("valid");
        assert_eq!(doctors.status, Some(DoctorStatus::Invited));
        assert!(
            DoctorQuery::parse("", "retired", "")
                .expect_err("status")
                .message_for("status")
                .is_some()
        );
    }

    #[test]
    fn only_a_paid_live_visit_refunds() {
        let row = AppointmentRow {
            id: 1,
            date: NaiveDate::from_ymd_opt(2030, 1, 1).expect("date"),
            start_time: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            end_time: NaiveTime::from_hms_opt(9, 30, 0).expect("time"),
            doctor_id: 1,
            doctor_name: "Dr. A B".to_owned(),
            specialty: "Cardiology".to_owned(),
            patient_id: 2,
            patient_name: "C D".to_owned(),
            patient_email: "c@example.com".to_owned(),
            status: AppointmentStatus::Pending,
            consultation_fee: Money::parse("80").expect("money"),
            payment_status: Some(PaymentStatus::Pending),
            created_at: Utc::now(),
        };
        assert!(row.cancellable());
        assert_eq!(row.refund_on_cancel(), Money::ZERO);
        let paid = AppointmentRow {
            status: AppointmentStatus::Confirmed,
            payment_status: Some(PaymentStatus::Completed),
            ..row.clone()
        };
        assert_eq!(paid.refund_on_cancel(), paid.consultation_fee);
        let done = AppointmentRow {
            status: AppointmentStatus::Completed,
            ..paid
        };
        assert!(!done.cancellable());
    }
}
