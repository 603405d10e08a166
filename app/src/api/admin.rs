//! Server functions of the admin area: specialties and doctor records. Every one of them
//! refuses anyone but an admin, before anything else.

// The doctor form's server functions take one argument per form field, as the form posts them;
// the `server` macro also generates the browser-side twin, hence the module-wide allowance.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::auth::require;
use crate::domain::oversight::ListPage;
use crate::domain::{AppError, DoctorRecord};
#[cfg(feature = "ssr")]
use crate::domain::{
    DoctorDetails, DoctorForm, SpecialtyDetails, UserRole, oversight::DoctorQuery,
};

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
    q: String,
    status: String,
    page: String,
) -> Result<ListPage<DoctorRecord>, AppError> {
    require(UserRole::Admin).await?;
    let query = DoctorQuery::parse(&q, &status, &page)?;
    crate::services::doctor_records::doctors(&super::pool()?, &query).await
}

#[server(prefix = "/api", endpoint = "admin/doctor")]
pub async fn get_doctor_record(id: i64) -> Result<DoctorRecord, AppError> {
    require(UserRole::Admin).await?;
    crate::services::doctor_records::get(&super::pool()?, id).await
}

/// Creates the doctor's account and profile and emails them a link to choose a password.
/// Returns the new doctor's id.
#[server(prefix = "/api", endpoint = "admin/onboard-doctor")]
pub async fn onboard_doctor(
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    specialty: String,
    license_number: String,
    experience_years: String,
    bio: String,
    consultation_fee: String,
) -> Result<i64, AppError> {
    let admin = require(UserRole::Admin).await?;
    let details = DoctorDetails::parse(&DoctorForm {
        first_name,
        last_name,
        email,
        phone,
        specialty,
        license_number,
        experience_years,
        bio,
        consultation_fee,
    })?;
    crate::services::doctor_records::onboard(
        &super::pool()?,
        &super::settings()?,
        admin.id,
        &details,
        chrono::Utc::now(),
    )
    .await
}

#[server(prefix = "/api", endpoint = "admin/update-doctor")]
pub async fn update_doctor(
    id: i64,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    specialty: String,
    license_number: String,
    experience_years: String,
    bio: String,
    consultation_fee: String,
) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    let details = DoctorDetails::parse(&DoctorForm {
        first_name,
        last_name,
        email,
        phone,
        specialty,
        license_number,
        experience_years,
        bio,
        consultation_fee,
    })?;
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
