//! Server functions for reviews and ratings: the public page of a doctor's reviews, the
//! patient's reviews, the doctor's received reviews, and the admin's moderation. Each checks the
//! caller's role first.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::caller::require;
use crate::domain::AppError;
use crate::domain::reviews::{
    AdminReviewPage, AdminReviewParams, DoctorReviewsPage, PatientReviews, ReceivedReviewsPage,
};
#[cfg(feature = "ssr")]
use crate::domain::{
    UserRole,
    listing::parse_page,
    reviews::{AdminReviewQuery, ReviewDraft, ReviewFilter, parse_hide_reason},
};

/// One page of an active doctor's visible reviews with the rating summary. Public; `stars` and
/// `page` arrive as typed in the URL (empty for all ratings, the first page).
#[server(prefix = "/api", endpoint = "reviews/doctor", input = server_fn::codec::GetUrl)]
pub async fn doctor_reviews(
    doctor_id: i64,
    stars: String,
    page: String,
) -> Result<DoctorReviewsPage, AppError> {
    let filter = ReviewFilter::parse(&stars, &page)?;
    crate::services::reviews::public_page(&super::pool()?, &super::settings()?, doctor_id, filter)
        .await
}

/// The signed-in patient's visits waiting for a review, and their reviews.
#[server(prefix = "/api", endpoint = "reviews/mine")]
pub async fn my_reviews() -> Result<PatientReviews, AppError> {
    let patient = require(UserRole::Patient).await?;
    crate::services::reviews::for_patient(
        &super::pool()?,
        &super::settings()?,
        patient.id,
        chrono::Utc::now(),
    )
    .await
}

/// The signed-in patient reviews a completed visit. `rating` is absent when no star was chosen
/// and `anonymous` when the box was left unticked (as a plain form posts them).
#[server(prefix = "/api", endpoint = "reviews/create")]
pub async fn create_review(
    appointment_id: i64,
    rating: Option<String>,
    comment: String,
    anonymous: Option<String>,
) -> Result<i64, AppError> {
    let patient = require(UserRole::Patient).await?;
    let draft = ReviewDraft::parse(rating.as_deref(), &comment, anonymous.is_some())?;
    crate::services::reviews::create(
        &super::pool()?,
        patient.id,
        appointment_id,
        &draft,
        chrono::Utc::now(),
    )
    .await
}

/// The signed-in patient changes their review, within the edit window.
#[server(prefix = "/api", endpoint = "reviews/edit")]
pub async fn edit_review(
    review_id: i64,
    rating: Option<String>,
    comment: String,
    anonymous: Option<String>,
) -> Result<(), AppError> {
    let patient = require(UserRole::Patient).await?;
    let draft = ReviewDraft::parse(rating.as_deref(), &comment, anonymous.is_some())?;
    crate::services::reviews::edit(
        &super::pool()?,
        patient.id,
        review_id,
        &draft,
        chrono::Utc::now(),
    )
    .await
}

/// The signed-in doctor's reviews, hidden ones included and marked.
#[server(prefix = "/api", endpoint = "reviews/received")]
pub async fn received_reviews(page: String) -> Result<ReceivedReviewsPage, AppError> {
    let doctor = require(UserRole::Doctor).await?;
    let page = parse_page(&page)?;
    crate::services::reviews::received(&super::pool()?, &super::settings()?, doctor.id, page).await
}

/// The admin's review list: by doctor name, visible, hidden or all, a page at a time.
#[server(prefix = "/api", endpoint = "reviews/admin/list")]
pub async fn admin_reviews(
    #[server(flatten)] params: AdminReviewParams,
) -> Result<AdminReviewPage, AppError> {
    require(UserRole::Admin).await?;
    let query = AdminReviewQuery::parse(&params)?;
    crate::services::reviews::admin_list(&super::pool()?, &query).await
}

/// An admin hides a review, saying why; it leaves the doctor's page and average.
#[server(prefix = "/api", endpoint = "reviews/admin/hide")]
pub async fn hide_review(review_id: i64, reason: String) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    let reason = parse_hide_reason(&reason)?;
    crate::services::reviews::hide(
        &super::pool()?,
        admin.id,
        review_id,
        &reason,
        chrono::Utc::now(),
    )
    .await
}

/// An admin shows a hidden review again.
#[server(prefix = "/api", endpoint = "reviews/admin/restore")]
pub async fn restore_review(review_id: i64) -> Result<(), AppError> {
    let admin = require(UserRole::Admin).await?;
    crate::services::reviews::restore(&super::pool()?, admin.id, review_id).await
}
