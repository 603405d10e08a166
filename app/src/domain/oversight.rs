//! What the admin oversees beyond accounts: every appointment, every payment and every wallet
//! movement, each as a filtered, paged list (and the same filters for its CSV download).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::booking::{AppointmentStatus, PaymentStatus};
use super::listing::{DateRange, list_params, parse_choice, parse_page, parse_search};
use super::money::Money;
use super::wallet::TransactionType;
use super::{AppError, UserRole};

list_params! {
    /// The appointments list's URL parameters (`?patient=&doctor=&status=&from=&to=&page=`),
    /// as typed.
    pub struct AppointmentParams { patient, doctor, status, from, to }
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
    pub fn parse(params: &AppointmentParams) -> Result<Self, AppError> {
        Ok(Self {
            patient: parse_search(&params.patient, "patient")?,
            doctor: parse_search(&params.doctor, "doctor")?,
            status: parse_choice(
                &params.status,
                &AppointmentStatus::ALL,
                AppointmentStatus::as_str,
                "status",
                "Choose awaiting payment, confirmed, completed, cancelled or all.",
            )?,
            dates: DateRange::parse(&params.from, &params.to)?,
            page: parse_page(&params.page)?,
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

list_params! {
    /// The payments list's URL parameters (`/admin/payments?q=&status=&from=&to=&page=`), as typed.
    pub struct PaymentParams { q, status, from, to }
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
    pub fn parse(params: &PaymentParams) -> Result<Self, AppError> {
        Ok(Self {
            search: parse_search(&params.q, "q")?,
            status: parse_choice(
                &params.status,
                &PaymentStatus::ALL,
                PaymentStatus::as_str,
                "status",
                "Choose waiting, paid, not paid, refunded or all.",
            )?,
            dates: DateRange::parse(&params.from, &params.to)?,
            page: parse_page(&params.page)?,
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

list_params! {
    /// The wallet transactions list's URL parameters (`/admin/transactions?q=&kind=&from=&to=&page=`),
    /// as typed.
    pub struct TransactionParams { q, kind, from, to }
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
    pub fn parse(params: &TransactionParams) -> Result<Self, AppError> {
        Ok(Self {
            search: parse_search(&params.q, "q")?,
            kind: parse_choice(
                &params.kind,
                &TransactionType::ALL,
                TransactionType::as_str,
                "kind",
                "Choose top-ups, withdrawals, payments, refunds or all.",
            )?,
            dates: DateRange::parse(&params.from, &params.to)?,
            page: parse_page(&params.page)?,
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

list_params! {
    /// The doctors list's URL parameters (`/admin/doctors?q=&status=&page=`), as typed.
    pub struct DoctorParams { q, status }
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
    pub fn parse(params: &DoctorParams) -> Result<Self, AppError> {
        Ok(Self {
            search: parse_search(&params.q, "q")?,
            status: parse_choice(
                &params.status,
                &DoctorStatus::ALL,
                DoctorStatus::as_str,
                "status",
                "Choose active, invitation sent, inactive or all.",
            )?,
            page: parse_page(&params.page)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::listing::ListParams;

    fn appointments(status: &str, from: &str, to: &str) -> AppointmentParams {
        AppointmentParams {
            status: status.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            ..AppointmentParams::default()
        }
    }

    #[test]
    fn appointment_filters_parse_or_name_the_bad_field() {
        let query = AppointmentQuery::parse(&AppointmentParams {
            patient: " ann ".to_owned(),
            doctor: "lee".to_owned(),
            page: "3".to_owned(),
            ..appointments("confirmed", "2030-01-01", "2030-01-31")
        })
        .expect("valid");
        assert_eq!(query.patient, "ann");
        assert_eq!(query.status, Some(AppointmentStatus::Confirmed));
        assert_eq!(query.dates.from, NaiveDate::from_ymd_opt(2030, 1, 1));
        assert_eq!(query.page, 3);
        let all = AppointmentQuery::parse(&appointments("all", "", "")).expect("valid");
        assert_eq!((all.status, all.page), (None, 1));
        let err = AppointmentQuery::parse(&appointments("lost", "", "")).expect_err("status");
        assert!(err.message_for("status").is_some());
        let err = AppointmentQuery::parse(&appointments("", "2030-02-01", "2030-01-01"))
            .expect_err("backwards");
        assert!(err.message_for("to").is_some());
    }

    #[test]
    fn payment_transaction_and_doctor_filters_parse() {
        let payments = PaymentQuery::parse(&PaymentParams {
            q: "pay_".to_owned(),
            status: "refunded".to_owned(),
            ..PaymentParams::default()
        })
        .expect("valid");
        assert_eq!(payments.status, Some(PaymentStatus::Refunded));
        assert!(
            PaymentQuery::parse(&PaymentParams {
                status: "stolen".to_owned(),
                ..PaymentParams::default()
            })
            .expect_err("status")
            .message_for("status")
            .is_some()
        );
        let ledger = TransactionQuery::parse(&TransactionParams {
            kind: "refund".to_owned(),
            to: "2030-01-31".to_owned(),
            ..TransactionParams::default()
        })
        .expect("valid");
        assert_eq!(ledger.kind, Some(TransactionType::Refund));
        assert!(
            TransactionQuery::parse(&TransactionParams {
                kind: "gift".to_owned(),
                ..TransactionParams::default()
            })
            .expect_err("kind")
            .message_for("kind")
            .is_some()
        );
        let doctors = DoctorQuery::parse(&DoctorParams {
            status: "invited".to_owned(),
            page: "2".to_owned(),
            ..DoctorParams::default()
        })
        .expect("valid");
        assert_eq!(doctors.status, Some(DoctorStatus::Invited));
        assert!(
            DoctorQuery::parse(&DoctorParams {
                status: "retired".to_owned(),
                ..DoctorParams::default()
            })
            .expect_err("status")
            .message_for("status")
            .is_some()
        );
    }

    #[test]
    fn links_keep_the_filters_and_leave_out_the_page() {
        let params = PaymentParams {
            q: "a&b".to_owned(),
            status: "refunded".to_owned(),
            page: "4".to_owned(),
            ..PaymentParams::default()
        };
        assert_eq!(params.filter_query(), "q=a%26b&status=refunded&from=&to=");
        assert_eq!(params.without_page().page, "");
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
