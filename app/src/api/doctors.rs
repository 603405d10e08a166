//! Server functions for the public doctor directory.

use leptos::prelude::*;

use crate::domain::{AppError, DoctorCard, DoctorProfile};

/// Active doctors whose name contains `name` (case-insensitive), optionally in one specialty,
/// best rated first. Public.
#[server(prefix = "/api", endpoint = "doctors")]
pub async fn search_doctors(
    name: String,
    specialty_id: Option<i64>,
) -> Result<Vec<DoctorCard>, AppError> {
    let pool = super::pool()?;
    let settings = super::settings()?;
    let name = name.trim();
    if name.chars().count() > 100 {
        return Err(AppError::validation(
            "q",
            "Search for at most 100 characters of a doctor's name.",
        ));
    }
    crate::services::doctors::search(&pool, &settings, name, specialty_id).await
}

/// One active doctor's public page. Public.
#[server(prefix = "/api", endpoint = "doctor")]
pub async fn get_doctor(id: i64) -> Result<DoctorProfile, AppError> {
    crate::services::doctors::profile(&super::pool()?, &super::settings()?, id).await
}
