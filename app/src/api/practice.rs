//! Server functions for a doctor's own practice: their bio and fee.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::UserRole;
use crate::domain::{AppError, PracticeDetails};

/// The signed-in doctor's own bio and fee.
#[server(prefix = "/api", endpoint = "my-practice")]
pub async fn get_my_practice() -> Result<PracticeDetails, AppError> {
    let doctor = super::caller::require(UserRole::Doctor).await?;
    crate::services::doctor_records::practice(&super::pool()?, doctor.id).await
}

/// The signed-in doctor changes their bio and fee. Booked appointments keep their fee.
#[server(prefix = "/api", endpoint = "update-my-practice")]
pub async fn update_my_practice(bio: String, consultation_fee: String) -> Result<(), AppError> {
    let doctor = super::caller::require(UserRole::Doctor).await?;
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
    .await?;
    super::notice::tell(crate::domain::outcomes::PRACTICE_SAVED.to_owned()).await;
    Ok(())
}
