//! Server functions of the admin area: specialties and doctor records. Every one of them
//! refuses anyone but an admin, before anything else.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::caller::require;
use crate::domain::listing::ListPage;
use crate::domain::oversight::DoctorParams;
use crate::domain::{AppError, DoctorForm, DoctorRecord};
#[cfg(feature = "ssr")]
use crate::domain::{DoctorDetails, SpecialtyDetails, UserRole, oversight::DoctorQuery};

#[server(prefix = "/api", endpoint = "admin/create-specialty")]
pub async fn create_specialty(name: String, description: String) -> Result<i64, AppError> {
    let admin = require(UserRole::Admin).await?;
    let details = SpecialtyDetails::parse(&name, &description)?;
    crate::services::specialties::create(&super::pool()?, admin.id, &details).await
}

#[server(prefix = "/api", endpoint = "admin/update-specialty")]
pub async fn update_specialty(id: i64, name: String, description: String) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    let details = SpecialtyDetails::parse(&name, &description)?;
    crate::services::specialties::update(&super::pool()?, admin.id, id, &details).await
}

/// Deletes a specialty that has no doctors; one that has some is refused with how many.
#[server(prefix = "/api", endpoint = "admin/delete-specialty")]
pub async fn delete_specialty(id: i64) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    crate::services::specialties::delete(&super::pool()?, admin.id, id).await
}

/// One page of doctors' records: `q` is part of the name, email or license number, `status`
/// active, invited, inactive or empty for all. By last name.
#[server(prefix = "/api", endpoint = "admin/doctors")]
pub async fn list_doctor_records(
    #[server(flatten)] params: DoctorParams,
) -> Result<ListPage<DoctorRecord>, AppError> {
    require(UserRole::Admin).await?;
    let query = DoctorQuery::parse(&params)?;
    crate::services::doctor_records::doctors(&super::pool()?, &query).await
}

#[server(prefix = "/api", endpoint = "admin/doctor")]
pub async fn get_doctor_record(id: i64) -> Result<DoctorRecord, AppError> {
    require(UserRole::Admin).await?;
    crate::services::doctor_records::get(&super::pool()?, id).await
}

/// Creates the doctor's account and profile and emails them a link to choose a password.
/// Returns the new doctor's id. The form's fields arrive as posted, one per field of the form.
#[server(prefix = "/api", endpoint = "admin/onboard-doctor")]
pub async fn onboard_doctor(#[server(flatten)] form: DoctorForm) -> Result<i64, AppError> {
    let admin = require(UserRole::Admin).await?;
    let details = DoctorDetails::parse(&form)?;
    crate::services::doctor_records::onboard(
        &super::pool()?,
        &super::settings()?,
        admin.id,
        &details,
        chrono::Utc::now(),
    )
    .await
}

/// Changes every field of doctor `id`'s record, posted as the onboarding form posts them.
#[server(prefix = "/api", endpoint = "admin/update-doctor")]
pub async fn update_doctor(id: i64, #[server(flatten)] form: DoctorForm) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    let details = DoctorDetails::parse(&form)?;
    crate::services::doctor_records::update(&super::pool()?, admin.id, id, &details).await
}

/// Takes a doctor off the directory and out of booking, or back; appointments are kept.
#[server(prefix = "/api", endpoint = "admin/set-doctor-active")]
pub async fn set_doctor_active(id: i64, active: bool) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    crate::services::doctor_records::set_active(&super::pool()?, admin.id, id, active).await
}

/// Emails a fresh password link to a doctor who has not chosen a password yet.
#[server(prefix = "/api", endpoint = "admin/resend-invitation")]
pub async fn resend_doctor_invitation(id: i64) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    crate::services::doctor_records::resend_invitation(
        &super::pool()?,
        &super::settings()?,
        admin.id,
        id,
        chrono::Utc::now(),
    )
    .await
}
