//! Server functions for the public doctor directory.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::UserRole;
#[cfg(feature = "ssr")]
use crate::domain::directory::DirectoryQuery;
use crate::domain::directory::{DirectoryPage, DirectoryParams};
use crate::domain::{AppError, DoctorProfile, PracticeDetails};

/// One page of the directory: active doctors matching the URL's filters, in its sort order.
/// Public. The parameters arrive as typed in the URL and are parsed here.
#[server(prefix = "/api", endpoint = "doctors")]
pub async fn search_doctors(params: DirectoryParams) -> Result<DirectoryPage, AppError> {
    let query = DirectoryQuery::parse(&params)?;
    crate::services::doctors::search(&super::pool()?, &super::settings()?, &query).await
}

/// One active doctor's public page. Public.
#[server(prefix = "/api", endpoint = "doctor")]
pub async fn get_doctor(id: i64) -> Result<DoctorProfile, AppError> {
    crate::services::doctors::profile(&super::pool()?, &super::settings()?, id).await
}

/// The signed-in doctor's own bio and fee.
#[server(prefix = "/api", endpoint = "my-practice")]
pub async fn get_my_practice() -> Result<PracticeDetails, AppError> {
    let doctor = super::auth::require(UserRole::Doctor).await?;
    crate::services::doctor_records::practice(&super::pool()?, doctor.id).await
}

/// The signed-in doctor changes their bio and fee. Booked appointments keep their fee.
#[server(prefix = "/api", endpoint = "update-my-practice")]
pub async fn update_my_practice(bio: String, consultation_fee: String) -> Result<(), AppError> {
    let doctor = super::auth::require(UserRole::Doctor).await?;
    let mut check = crate::domain::forms::FormCheck::default();
    let bio = check.field("bio", crate::domain::doctor::parse_bio(&bio));
    let fee = check.field(
        "consultation_fee",
        crate::domain::Money::parse(&consultation_fee),
    );
    let (Some(bio), Some(consultation_fee)) = (bio, fee) else {
        return Err(check.into_error());
    };
    crate::services::doctor_records::update_practice(
        &super::pool()?,
        doctor.id,
        &PracticeDetails {
            bio,
            consultation_fee,
        },
    )
    .await
}
