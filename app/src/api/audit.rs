//! Server functions of the audit log: admins browse and filter it. (The CSV export is a plain
//! download route in the server, with the same check.)

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::admin::{AuditPage, AuditParams};
#[cfg(feature = "ssr")]
use crate::domain::{UserRole, admin::AuditQuery};

/// One page of the audit log, newest first: by the actor's username, an action (or its prefix,
/// such as `doctor`), a target kind, and clinic-local days `from` to `to` (each may be empty).
#[server(prefix = "/api", endpoint = "admin/audit")]
pub async fn audit_log(#[server(flatten)] params: AuditParams) -> Result<AuditPage, AppError> {
    super::caller::require(UserRole::Admin).await?;
    let query = AuditQuery::parse(&params)?;
    crate::services::audit::list(&super::pool()?, &super::settings()?, &query).await
}
