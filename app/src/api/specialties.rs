//! Server functions for medical specialties.

use leptos::prelude::*;

use crate::domain::{AppError, SpecialtySummary};

/// Every specialty, alphabetically, with how many active doctors practise it. Public.
#[server(prefix = "/api", endpoint = "specialties")]
pub async fn list_specialties() -> Result<Vec<SpecialtySummary>, AppError> {
    let pool = super::pool()?;
    crate::services::specialties::list(&pool).await
}
