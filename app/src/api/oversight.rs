//! Server functions of the admin's lists of appointments, payments and wallet transactions, and
//! refunding a payment. Admins only, checked before anything else. (Cancelling from the
//! appointments list is `booking::cancel_appointment`, which admins may call for any visit; the
//! CSV exports are plain download routes in the server, with the same check.)

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::caller::require;
use crate::domain::AppError;
use crate::domain::booking::Refund;
use crate::domain::listing::ListPage;
use crate::domain::oversight::{
    AppointmentParams, AppointmentRow, PaymentParams, PaymentRow, TransactionParams, TransactionRow,
};
#[cfg(feature = "ssr")]
use crate::domain::{
    UserRole,
    oversight::{AppointmentQuery, PaymentQuery, TransactionQuery},
    request_key::RequestKey,
};

/// One page of appointments: `patient` and `doctor` are parts of names (or the patient's email,
/// the doctor's license number), `status` one status or empty, `from` and `to` appointment
/// dates (`2030-03-31`, either may be empty). Latest date first.
#[server(prefix = "/api", endpoint = "admin/appointments")]
pub async fn list_all_appointments(
    #[server(flatten)] params: AppointmentParams,
) -> Result<ListPage<AppointmentRow>, AppError> {
    require(UserRole::Admin).await?;
    let query = AppointmentQuery::parse(&params)?;
    crate::services::oversight::appointments(&super::pool()?, &query).await
}

/// One page of payments: `q` is part of the reference or of the patient's name, username or
/// email; `status` one status or empty; `from` and `to` the clinic-local days they were made.
#[server(prefix = "/api", endpoint = "admin/payments")]
pub async fn list_payments(
    #[server(flatten)] params: PaymentParams,
) -> Result<ListPage<PaymentRow>, AppError> {
    require(UserRole::Admin).await?;
    let query = PaymentQuery::parse(&params)?;
    crate::services::oversight::payments(&super::pool()?, &super::settings()?, &query).await
}

/// Refunds a payment in full, cancelling its visit (the patient is emailed). Once per key.
#[server(prefix = "/api", endpoint = "admin/refund-payment")]
pub async fn refund_payment(
    payment_id: i64,
    reason: Option<String>,
    request_key: String,
) -> Result<Refund, AppError> {
    let admin = require(UserRole::Admin).await?;
    let key = RequestKey::parse(&request_key)?;
    let reason = crate::domain::booking::parse_reason(reason.as_deref().unwrap_or_default())?;
    let refund = crate::services::oversight::refund_payment(
        &super::pool()?,
        &super::settings()?,
        admin.id,
        payment_id,
        &reason,
        &key,
        chrono::Utc::now(),
    )
    .await?;
    super::notice::tell(refund.refunded_message()).await;
    Ok(refund)
}

/// One page of wallet transactions: `q` is part of the owner's name, username or email, `kind`
/// one type or empty, `from` and `to` clinic-local days. Newest first.
#[server(prefix = "/api", endpoint = "admin/transactions")]
pub async fn list_transactions(
    #[server(flatten)] params: TransactionParams,
) -> Result<ListPage<TransactionRow>, AppError> {
    require(UserRole::Admin).await?;
    let query = TransactionQuery::parse(&params)?;
    crate::services::oversight::transactions(&super::pool()?, &super::settings()?, &query).await
}
