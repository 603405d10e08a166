//! Server functions for the signed-in user's wallet: the history, top-ups and withdrawals.
//! (The CSV export is a plain download route in the server, calling the same service.)

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::wallet::{HistoryParams, WalletOverview, WalletReceipt};
#[cfg(feature = "ssr")]
use crate::domain::{
    UserRole,
    request_key::RequestKey,
    wallet::{Card, parse_wallet_amount},
};
#[cfg(feature = "ssr")]
use crate::services::gateway::Gateway;

#[cfg(feature = "ssr")]
fn gateway() -> Result<Gateway, AppError> {
    use_context::<Gateway>().ok_or_else(|| {
        AppError::internal("the payment gateway is missing from the request context")
    })
}

/// A page of the wallet's history, with the balance.
#[server(prefix = "/api", endpoint = "wallet/page")]
pub async fn get_wallet(params: HistoryParams) -> Result<WalletOverview, AppError> {
    let user = super::caller::require(UserRole::Patient).await?;
    let filter = params.parse()?;
    crate::services::wallet::page(
        &super::pool()?,
        &super::settings()?,
        gateway()?.0.card_payments(),
        user.id,
        &filter,
    )
    .await
}

/// Adds money to the wallet from a card.
#[server(prefix = "/api", endpoint = "wallet/top-up")]
pub async fn top_up_wallet(
    amount: String,
    card_number: String,
    expiry: String,
    cvc: String,
    request_key: String,
) -> Result<WalletReceipt, AppError> {
    let user = super::caller::require_verified_patient().await?;
    let settings = super::settings()?;
    let key = RequestKey::parse(&request_key)?;
    let (amount, card) = parse_card_form(&settings, &amount, &card_number, &expiry, &cvc)?;
    let receipt = crate::services::wallet::top_up(
        &super::pool()?,
        gateway()?.0.as_ref(),
        user.id,
        &card,
        amount,
        &key,
    )
    .await?;
    super::notice::tell(receipt.message("Added")).await;
    Ok(receipt)
}

/// Sends money from the wallet to a card; needs the account's password, not only an open
/// session.
#[server(prefix = "/api", endpoint = "wallet/withdraw")]
pub async fn withdraw_from_wallet(
    amount: String,
    card_number: String,
    expiry: String,
    cvc: String,
    password: String,
    request_key: String,
) -> Result<WalletReceipt, AppError> {
    let user = super::caller::require_verified_patient().await?;
    let settings = super::settings()?;
    let key = RequestKey::parse(&request_key)?;
    let (amount, card) = parse_card_form(&settings, &amount, &card_number, &expiry, &cvc)?;
    crate::services::accounts::confirm_password(&super::pool()?, user.id, &password, "password")
        .await?;
    let receipt = crate::services::wallet::withdraw(
        &super::pool()?,
        gateway()?.0.as_ref(),
        user.id,
        &card,
        amount,
        &key,
    )
    .await?;
    super::notice::tell(receipt.message("Sent")).await;
    Ok(receipt)
}

/// The amount and the card, with every field's problem reported at once.
#[cfg(feature = "ssr")]
fn parse_card_form(
    settings: &crate::services::ClinicSettings,
    amount: &str,
    number: &str,
    expiry: &str,
    cvc: &str,
) -> Result<(crate::domain::Money, Card), AppError> {
    let today = settings.local_date(chrono::Utc::now());
    let amount = parse_wallet_amount("amount", amount, settings.booking.max_wallet_amount);
    let card = Card::parse(number, expiry, cvc, today);
    match (amount, card) {
        (Ok(amount), Ok(card)) => Ok((amount, card)),
        (amount, card) => {
            let mut errors = Vec::new();
            for error in [amount.err(), card.err()].into_iter().flatten() {
                match error {
                    AppError::Validation { field, message } => {
                        errors.push(crate::domain::FieldError::new(field, message))
                    }
                    AppError::Invalid(more) => errors.extend(more),
                    other => return Err(other),
                }
            }
            Err(AppError::Invalid(errors))
        }
    }
}
