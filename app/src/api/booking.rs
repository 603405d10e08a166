//! Server functions for booking and the life of an appointment. Patients book, pay, cancel and
//! move their own; doctors see and complete (or cancel) theirs; admins any. Who may touch which
//! appointment is checked again inside the services' queries.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::booking::{
    AppointmentDetail, BookingOutcome, BookingQuote, MyAppointments, Refund, RescheduleOptions,
    Schedule,
};
#[cfg(feature = "ssr")]
use crate::domain::{Money, UserRole, booking::parse_notes, request_key::RequestKey};
#[cfg(feature = "ssr")]
use crate::services::booking::{self as service, Actor};

#[cfg(feature = "ssr")]
async fn actor() -> Result<Actor, AppError> {
    let user = super::caller::require_user().await?;
    Ok(Actor {
        user_id: user.id,
        role: user.role,
    })
}

/// What the booking page shows for a slot: the doctor, time, fee and the patient's balance.
#[server(prefix = "/api", endpoint = "booking/quote")]
pub async fn get_booking_quote(slot_id: i64) -> Result<BookingQuote, AppError> {
    let patient = super::caller::require_verified_patient().await?;
    service::quote(
        &super::pool()?,
        &super::settings()?,
        patient.id,
        slot_id,
        chrono::Utc::now(),
    )
    .await
}

/// Books a slot (confirmed and paid, or held for payment, or "just taken" with alternatives).
#[server(prefix = "/api", endpoint = "booking/book")]
pub async fn book_appointment(
    slot_id: i64,
    notes: Option<String>,
    request_key: String,
) -> Result<BookingOutcome, AppError> {
    let patient = super::caller::require_verified_patient().await?;
    let key = RequestKey::parse(&request_key)?;
    let pool = super::pool()?;
    // A repeat of a booking request whose answer was lost on the way (a dropped connection, a
    // restarted server) gets that answer: it books nothing, so the limit on new bookings must
    // not refuse it, or the patient would be told a booking they hold failed.
    if !crate::services::idempotency::is_known(&pool, patient.id, &key).await? {
        super::rate_limit(
            crate::services::rate_limits::Action::Book,
            Some(patient.id),
            None,
        )
        .await?;
    }
    let notes = parse_notes(notes.as_deref().unwrap_or_default())?;
    let outcome = service::book(
        &pool,
        &super::settings()?,
        patient.id,
        slot_id,
        &notes,
        &key,
        chrono::Utc::now(),
    )
    .await?;
    open_booked(&outcome);
    Ok(outcome)
}

/// A booking made (paid, or held for payment) opens its appointment page, which says which
/// it is. Without JavaScript the browser follows the redirect; with it, the router does. A
/// form post must never land back on the booking page, where the slot it just took shows as
/// taken.
#[cfg(feature = "ssr")]
fn open_booked(outcome: &BookingOutcome) {
    if let BookingOutcome::Confirmed { appointment_id }
    | BookingOutcome::AwaitingPayment { appointment_id, .. } = outcome
    {
        leptos_axum::redirect(&format!("/appointments/{appointment_id}"));
    }
}

/// Pays a held booking from the wallet; returns the appointment's id.
#[server(prefix = "/api", endpoint = "booking/pay")]
pub async fn pay_appointment(appointment_id: i64, request_key: String) -> Result<i64, AppError> {
    let patient = super::caller::require_verified_patient().await?;
    let key = RequestKey::parse(&request_key)?;
    service::pay(
        &super::pool()?,
        &super::settings()?,
        patient.id,
        appointment_id,
        &key,
        chrono::Utc::now(),
    )
    .await
}

/// Cancels an appointment. Patients send the refund they were shown (`expected_refund`).
#[server(prefix = "/api", endpoint = "booking/cancel")]
pub async fn cancel_appointment(
    appointment_id: i64,
    expected_refund: Option<String>,
    reason: Option<String>,
    request_key: String,
) -> Result<Refund, AppError> {
    let actor = actor().await?;
    let key = RequestKey::parse(&request_key)?;
    let expected = expected_refund
        .filter(|text| !text.trim().is_empty())
        .map(|text| Money::parse(&text).map_err(|m| AppError::validation("expected_refund", m)))
        .transpose()?;
    let reason = crate::domain::booking::parse_reason(reason.as_deref().unwrap_or_default())?;
    let refund = service::cancel(
        &super::pool()?,
        &super::settings()?,
        actor,
        service::Cancellation {
            appointment_id,
            expected_refund: expected,
            reason: &reason,
        },
        &key,
        chrono::Utc::now(),
    )
    .await?;
    super::notice::tell(refund.cancelled_message()).await;
    Ok(refund)
}

/// The free times a confirmed appointment could move to.
#[server(prefix = "/api", endpoint = "booking/reschedule-options")]
pub async fn get_reschedule_options(appointment_id: i64) -> Result<RescheduleOptions, AppError> {
    let patient = super::caller::require_verified_patient().await?;
    service::reschedule_options(
        &super::pool()?,
        &super::settings()?,
        patient.id,
        appointment_id,
        chrono::Utc::now(),
    )
    .await
}

/// Moves a confirmed appointment to another free slot of the same doctor.
#[server(prefix = "/api", endpoint = "booking/reschedule")]
pub async fn reschedule_appointment(
    appointment_id: i64,
    slot_id: i64,
    request_key: String,
) -> Result<BookingOutcome, AppError> {
    let patient = super::caller::require_verified_patient().await?;
    let key = RequestKey::parse(&request_key)?;
    let outcome = service::reschedule(
        &super::pool()?,
        &super::settings()?,
        patient.id,
        appointment_id,
        slot_id,
        &key,
        chrono::Utc::now(),
    )
    .await?;
    open_booked(&outcome);
    Ok(outcome)
}

/// Marks an appointment completed (its doctor, or an admin).
#[server(prefix = "/api", endpoint = "booking/complete")]
pub async fn complete_appointment(appointment_id: i64) -> Result<(), AppError> {
    let actor = actor().await?;
    if actor.role == UserRole::Patient {
        return Err(AppError::Forbidden);
    }
    service::complete(
        &super::pool()?,
        &super::settings()?,
        actor,
        appointment_id,
        chrono::Utc::now(),
    )
    .await
}

/// The signed-in patient's appointments.
#[server(prefix = "/api", endpoint = "booking/mine")]
pub async fn list_my_appointments() -> Result<MyAppointments, AppError> {
    let patient = super::caller::require(UserRole::Patient).await?;
    service::my_appointments(
        &super::pool()?,
        &super::settings()?,
        patient.id,
        chrono::Utc::now(),
    )
    .await
}

/// One appointment in full, for its patient, its doctor or an admin.
#[server(prefix = "/api", endpoint = "booking/detail")]
pub async fn get_appointment(appointment_id: i64) -> Result<AppointmentDetail, AppError> {
    let actor = actor().await?;
    service::detail(
        &super::pool()?,
        &super::settings()?,
        actor,
        appointment_id,
        chrono::Utc::now(),
    )
    .await
}

/// A doctor's schedule: their own, or (for an admin) the doctor named by `doctor_id`.
#[server(prefix = "/api", endpoint = "booking/schedule")]
pub async fn get_schedule(doctor_id: Option<i64>) -> Result<Schedule, AppError> {
    let actor = actor().await?;
    let pool = super::pool()?;
    let choose = "Choose the doctor whose schedule to show.";
    let practice =
        crate::services::acting::for_practice(&pool, actor.user_id, actor.role, doctor_id, choose)
            .await?;
    service::schedule(&pool, &super::settings()?, &practice, chrono::Utc::now()).await
}
