//! Server functions for the public doctor directory: the search and a doctor's public page.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::directory::DirectoryQuery;
use crate::domain::directory::{DirectoryPage, DirectoryParams};
use crate::domain::{AppError, DoctorProfile};

/// One page of the directory: active doctors matching the URL's filters, in its sort order.
/// Public. The parameters arrive as typed in the URL and are parsed here.
#[server(prefix = "/api", endpoint = "doctors")]
pub async fn search_doctors(params: DirectoryParams) -> Result<DirectoryPage, AppError> {
    let query = DirectoryQuery::parse(&params)?;
    crate::services::directory::search(&super::pool()?, &super::settings()?, &query).await
}

/// One active doctor's public page. Public.
#[server(prefix = "/api", endpoint = "doctor")]
pub async fn get_doctor(id: i64) -> Result<DoctorProfile, AppError> {
    crate::services::directory::profile(&super::pool()?, &super::settings()?, id).await
}
