//! Server functions of the admin's users list: search, filter and page through accounts, and
//! deactivate or reactivate one. Admins only, checked before anything else. (The CSV export is
//! a plain download route in the server, with the same check.)

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::caller::require;
use crate::domain::AppError;
use crate::domain::admin::{UserPage, UserParams};
#[cfg(feature = "ssr")]
use crate::domain::{UserRole, admin::UserQuery};

/// One page of accounts whose name, username or email contains `q`, of one role (`role`
/// empty: all) and status (`status`: active, inactive or empty for both), newest first.
#[server(prefix = "/api", endpoint = "admin/users")]
pub async fn list_users(#[server(flatten)] params: UserParams) -> Result<UserPage, AppError> {
    require(UserRole::Admin).await?;
    let query = UserQuery::parse(&params)?;
    crate::services::users::list(&super::pool()?, &query).await
}

/// Deactivates an account (it cannot sign in, and its sessions end at once) or reactivates it.
#[server(prefix = "/api", endpoint = "admin/set-user-active")]
pub async fn set_user_active(id: i64, active: bool) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    crate::services::users::set_active(&super::pool()?, admin.id, id, active).await
}
