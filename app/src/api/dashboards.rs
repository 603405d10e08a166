//! Server functions of the role homes: each returns the figures of the caller's own home and
//! refuses every other role.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::caller::require;
use crate::domain::AppError;
#[cfg(feature = "ssr")]
use crate::domain::UserRole;
use crate::domain::dashboard::{AdminDashboard, DoctorDashboard, PatientDashboard};

/// The admin's key figures and charts.
#[server(prefix = "/api", endpoint = "dashboard/admin")]
pub async fn get_admin_dashboard() -> Result<AdminDashboard, AppError> {
    require(UserRole::Admin).await?;
    crate::services::dashboards::admin(&super::pool()?, &super::settings()?, chrono::Utc::now())
        .await
}

/// The signed-in doctor's agenda, appointments to complete, earnings and rating.
#[server(prefix = "/api", endpoint = "dashboard/doctor")]
pub async fn get_doctor_dashboard() -> Result<DoctorDashboard, AppError> {
    let doctor = require(UserRole::Doctor).await?;
    crate::services::dashboards::doctor(
        &super::pool()?,
        &super::settings()?,
        doctor.id,
        chrono::Utc::now(),
    )
    .await
}

/// The signed-in patient's next appointments, wallet balance and visits to review.
#[server(prefix = "/api", endpoint = "dashboard/patient")]
pub async fn get_patient_dashboard() -> Result<PatientDashboard, AppError> {
    let patient = require(UserRole::Patient).await?;
    crate::services::dashboards::patient(
        &super::pool()?,
        &super::settings()?,
        patient.id,
        chrono::Utc::now(),
    )
    .await
}
