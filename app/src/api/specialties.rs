//! Server functions for medical specialties.

use leptos::prelude::*;

use crate::domain::{AppError, SpecialtySummary};

/// Every specialty, alphabetically, with how many active doctors practise it. Public.
#[server(prefix = "/api", endpoint = "specialties")]
pub async fn list_specialties() -> Result<Vec<SpecialtySummary>, AppError> {
    let pool = super::pool()?;
    crate::services::specialties::list(&pool).await
}

/// Every specialty's id and name, alphabetically: what a filter's drop-down needs, without
/// counting doctors. Public.
#[server(prefix = "/api", endpoint = "specialty-names")]
pub async fn list_specialty_names() -> Result<Vec<(i64, String)>, AppError> {
    crate::services::specialties::names(&super::pool()?).await
}
