//! Server functions for patients' data rights: deleting one's own account, and an admin
//! deleting a patient's account on their request. (The copy of one's data is a plain download
//! route in the server, `/profile/my-data.json`, calling `services::personal_data`.)

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::erasure::ErasureOutcome;
#[cfg(feature = "ssr")]
use crate::services::erasure::ErasedBy;

#[cfg(feature = "ssr")]
fn gateway() -> Result<crate::services::gateway::Gateway, AppError> {
    use_context::<crate::services::gateway::Gateway>().ok_or_else(|| {
        AppError::internal("the payment gateway is missing from the request context")
    })
}

/// Deletes the signed-in patient's account, after their password. The wallet's rest goes to
/// the card given (all three card fields empty: none, and the money is kept as owed). The
/// session ends; a plain form post then lands on the "account deleted" page.
#[server(prefix = "/api", endpoint = "account/delete")]
pub async fn delete_my_account(
    password: String,
    #[server(default)] card_number: String,
    #[server(default)] expiry: String,
    #[server(default)] cvc: String,
) -> Result<ErasureOutcome, AppError> {
    let user = super::caller::require_user().await?;
    if user.role != crate::domain::UserRole::Patient {
        return Err(crate::services::erasure::not_a_patient(
            user.role,
            ErasedBy::Patient,
        ));
    }
    let pool = super::pool()?;
    let settings = super::settings()?;
    let now = chrono::Utc::now();
    let card = crate::domain::erasure::parse_payout_card(
        &card_number,
        &expiry,
        &cvc,
        settings.local_date(now),
    )?;
    crate::services::accounts::confirm_password(&pool, user.id, &password, "password").await?;
    let outcome = crate::services::erasure::erase(
        &pool,
        &settings,
        gateway()?.0.as_ref(),
        user.id,
        ErasedBy::Patient,
        card.as_ref(),
        now,
    )
    .await?;
    let session = super::caller::session::current()?;
    super::caller::session::end(&session).await?;
    if super::notice::is_plain_form() {
        // The next page is a visitor's: the notice is kept in a new, empty session under a
        // fresh id (the store would otherwise reuse the ended session's).
        session.cycle_id().await.map_err(AppError::internal)?;
        super::notice::tell(outcome.summary()).await;
        leptos_axum::redirect("/account-deleted");
    }
    Ok(outcome)
}

/// An admin deletes patient `id`'s account on the patient's request, after the admin's own
/// password. No payout card: the wallet's rest is kept on record as owed. The audit log names
/// the admin.
#[server(prefix = "/api", endpoint = "admin/erase-user")]
pub async fn erase_user(id: i64, password: String) -> Result<ErasureOutcome, AppError> {
    let admin = super::caller::require(crate::domain::UserRole::Admin).await?;
    let pool = super::pool()?;
    if id == admin.id {
        return Err(AppError::Conflict(
            "You cannot delete your own account; ask another admin to deactivate it.".to_owned(),
        ));
    }
    crate::services::accounts::confirm_password(&pool, admin.id, &password, "password").await?;
    let outcome = crate::services::erasure::erase(
        &pool,
        &super::settings()?,
        gateway()?.0.as_ref(),
        id,
        ErasedBy::Admin(admin.id),
        None,
        chrono::Utc::now(),
    )
    .await?;
    super::notice::tell(outcome.summary()).await;
    Ok(outcome)
}
