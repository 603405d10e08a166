//! Server functions for the public doctor directory: the search and a doctor's public page.
//! All read only, so GETs: a visitor's are answered from the server's page cache like the pages.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::directory::DirectoryQuery;
use crate::domain::directory::{DirectoryPage, DirectoryParams};
use crate::domain::free_week::FreeWeek;
use crate::domain::{AppError, DoctorProfile};

/// One page of the directory: active doctors matching the URL's filters, in its sort order.
/// Public. The parameters arrive as typed in the URL and are parsed here.
#[server(prefix = "/api", endpoint = "doctors", input = server_fn::codec::GetUrl)]
pub async fn search_doctors(
    #[server(flatten)] params: DirectoryParams,
) -> Result<DirectoryPage, AppError> {
    let settings = super::settings()?;
    let query = DirectoryQuery::parse(&params, settings.slot_horizon_days)?;
    crate::services::directory::search(&super::pool()?, &settings, &query).await
}

/// One active doctor's public page. Public.
#[server(prefix = "/api", endpoint = "doctor", input = server_fn::codec::GetUrl)]
pub async fn get_doctor(id: i64) -> Result<DoctorProfile, AppError> {
    crate::services::directory::profile(&super::pool()?, &super::settings()?, id).await
}

/// One week of an active doctor's free times: `week` is the page's `week` parameter as typed
/// (a date of the week; empty for this week). Public, and read-only, so a GET.
#[server(prefix = "/api", endpoint = "doctor-week", input = server_fn::codec::GetUrl)]
pub async fn doctor_week(id: i64, week: String) -> Result<FreeWeek, AppError> {
    if !crate::domain::free_week::readable(&week) {
        return Err(AppError::validation(
            "week",
            "Name the week by one of its dates, as YYYY-MM-DD (for example 2027-01-04), or leave it empty for this week.",
        ));
    }
    crate::services::directory::free_week(&super::pool()?, &super::settings()?, id, &week).await
}
