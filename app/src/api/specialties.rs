//! Server functions for medical specialties.

use leptos::prelude::*;

use crate::domain::{AppError, SpecialtySummary};

/// Every specialty, alphabetically, with how many active doctors practise it. Public (a GET, so
/// a visitor's is answered from the server's page cache).
#[server(prefix = "/api", endpoint = "specialties", input = server_fn::codec::GetUrl)]
pub async fn list_specialties() -> Result<Vec<SpecialtySummary>, AppError> {
    let pool = super::pool()?;
    crate::services::specialties::list(&pool).await
}

/// Every specialty's id and name, alphabetically: what a filter's drop-down needs, without
/// counting doctors. Public, a GET.
#[server(prefix = "/api", endpoint = "specialty-names", input = server_fn::codec::GetUrl)]
pub async fn list_specialty_names() -> Result<Vec<(i64, String)>, AppError> {
    crate::services::specialties::names(&super::pool()?).await
}
