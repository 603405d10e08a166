//! Server functions for managing time slots: a doctor their own, an admin any doctor's (named by
//! `doctor_id`; a doctor naming another doctor is refused).

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::slots::{BulkPlanForm, BulkReport, DeleteReport, WeekCalendar};
#[cfg(feature = "ssr")]
use crate::domain::{
    UserRole,
    slots::{BulkPlan, SlotTime, parse_date, parse_week},
};

/// Who is acting on whose slots: refuses visitors (401) and patients (403) before anything else.
#[cfg(feature = "ssr")]
async fn acting(doctor_id: Option<i64>) -> Result<crate::services::acting::Acting, AppError> {
    let user = super::caller::require_user().await?;
    if !matches!(user.role, UserRole::Doctor | UserRole::Admin) {
        return Err(AppError::Forbidden);
    }
    crate::services::slots::acting(&super::pool()?, user.id, user.role, doctor_id).await
}

/// Creates one slot; returns its id.
#[server(prefix = "/api", endpoint = "slots/create")]
pub async fn create_slot(
    doctor_id: Option<i64>,
    date: String,
    start_time: String,
    end_time: String,
) -> Result<i64, AppError> {
    let acting = acting(doctor_id).await?;
    let slot = SlotTime::parse(&date, &start_time, &end_time)?;
    let id = crate::services::slots::create_one(
        &super::pool()?,
        &super::settings()?,
        &acting,
        &slot,
        chrono::Utc::now(),
    )
    .await?;
    super::notice::tell(crate::domain::outcomes::SLOT_ADDED.to_owned()).await;
    Ok(id)
}

/// What a bulk plan would create, and what it would leave out and why. Creates nothing.
#[server(prefix = "/api", endpoint = "slots/preview")]
pub async fn preview_slots(
    doctor_id: Option<i64>,
    #[server(flatten)] form: BulkPlanForm,
) -> Result<BulkReport, AppError> {
    let acting = acting(doctor_id).await?;
    let plan = BulkPlan::parse(&form)?;
    crate::services::slots::preview(
        &super::pool()?,
        &super::settings()?,
        &acting,
        &plan,
        form,
        chrono::Utc::now(),
    )
    .await
}

/// Creates a bulk plan's slots, leaving out (and reporting) those that overlap existing ones.
#[server(prefix = "/api", endpoint = "slots/bulk")]
pub async fn create_slots(
    doctor_id: Option<i64>,
    #[server(flatten)] form: BulkPlanForm,
) -> Result<BulkReport, AppError> {
    let acting = acting(doctor_id).await?;
    let plan = BulkPlan::parse(&form)?;
    crate::services::slots::create_bulk(
        &super::pool()?,
        &super::settings()?,
        &acting,
        &plan,
        form,
        chrono::Utc::now(),
    )
    .await
}

/// The week (Monday to Sunday) containing `week` (a date; empty for this week).
#[server(prefix = "/api", endpoint = "slots/week")]
pub async fn get_slot_week(doctor_id: Option<i64>, week: String) -> Result<WeekCalendar, AppError> {
    let acting = acting(doctor_id).await?;
    let day = parse_week(&week)?;
    crate::services::slots::week(
        &super::pool()?,
        &super::settings()?,
        &acting,
        day,
        chrono::Utc::now(),
    )
    .await
}

/// Deletes one free slot (a booked one is refused).
#[server(prefix = "/api", endpoint = "slots/delete")]
pub async fn delete_slot(doctor_id: Option<i64>, slot_id: i64) -> Result<DeleteReport, AppError> {
    let acting = acting(doctor_id).await?;
    crate::services::slots::delete_one(
        &super::pool()?,
        &super::settings()?,
        &acting,
        slot_id,
        chrono::Utc::now(),
    )
    .await
}

/// Deletes the free slots of one day.
#[server(prefix = "/api", endpoint = "slots/delete-day")]
pub async fn delete_day_slots(
    doctor_id: Option<i64>,
    date: String,
) -> Result<DeleteReport, AppError> {
    let acting = acting(doctor_id).await?;
    let date = parse_date(&date, "the day").map_err(|m| AppError::validation("date", m))?;
    crate::services::slots::delete_day(
        &super::pool()?,
        &super::settings()?,
        &acting,
        date,
        chrono::Utc::now(),
    )
    .await
}

/// Deletes the free slots from `first_day` to `last_day`, both included. (Named unlike the bulk
/// form's `from` and `to`, since both forms share a page and field ids follow field names.)
#[server(prefix = "/api", endpoint = "slots/delete-range")]
pub async fn delete_range_slots(
    doctor_id: Option<i64>,
    first_day: String,
    last_day: String,
) -> Result<DeleteReport, AppError> {
    let acting = acting(doctor_id).await?;
    let mut check = crate::domain::forms::FormCheck::default();
    let from = check.field("first_day", parse_date(&first_day, "the first day"));
    let to = check.field("last_day", parse_date(&last_day, "the last day"));
    let (Some(from), Some(to)) = (from, to) else {
        return Err(check.into_error());
    };
    crate::services::slots::delete_range(
        &super::pool()?,
        &super::settings()?,
        &acting,
        from,
        to,
        chrono::Utc::now(),
    )
    .await
}

/// Blocks a free slot (`unavailable` = true) or frees a blocked one.
#[server(prefix = "/api", endpoint = "slots/set-unavailable")]
pub async fn set_slot_unavailable(
    doctor_id: Option<i64>,
    slot_id: i64,
    unavailable: bool,
) -> Result<(), AppError> {
    let acting = acting(doctor_id).await?;
    crate::services::slots::set_unavailable(
        &super::pool()?,
        &super::settings()?,
        &acting,
        slot_id,
        unavailable,
        chrono::Utc::now(),
    )
    .await
}
