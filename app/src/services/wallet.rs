//! The wallet: its history page and CSV export, and top-ups and withdrawals by card through the
//! payment gateway. Balances change only through [`super::ledger`].

use chrono::Days;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

use super::ClinicSettings;
use super::gateway::{CardRequest, GatewayAnswer, PaymentGateway};
use super::idempotency::{self, Request};
use super::ledger::{self, Posting};
use crate::domain::AppError;
use crate::domain::booking::RequestKey;
use crate::domain::money::Money;
use crate::domain::wallet::{
    Card, CardPayments, HISTORY_PAGE_SIZE, HistoryFilter, LedgerEntry, TransactionType, WalletPage,
    WalletReceipt,
};

/// Adds the filter's conditions to a query over `wallet_transactions` of `user_id`.
fn push_filter<'a>(
    query: &mut QueryBuilder<'a, Postgres>,
    settings: &ClinicSettings,
    user_id: i64,
    filter: &HistoryFilter,
) {
    query.push(" WHERE user_id = ").push_bind(user_id);
    if let Some(kind) = filter.kind {
        query
            .push(" AND transaction_type = ")
            .push_bind(kind.as_str());
    }
    if let Some(from) = filter.from {
        query
            .push(" AND created_at >= ")
            .push_bind(settings.start_of_day(from));
    }
    if let Some(to) = filter.to {
        let after = to.checked_add_days(Days::new(1)).unwrap_or(to);
        query
            .push(" AND created_at < ")
            .push_bind(settings.start_of_day(after));
    }
}

/// One page of the user's history, newest first, with the balance and a fresh form key.
pub async fn page(
    pool: &PgPool,
    settings: &ClinicSettings,
    card_payments: CardPayments,
    user_id: i64,
    filter: &HistoryFilter,
) -> Result<WalletPage, AppError> {
    let balance = balance(pool, user_id).await?;
    let mut count = QueryBuilder::new("SELECT count(*) FROM wallet_transactions");
    push_filter(&mut count, settings, user_id, filter);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let total = u64::try_from(total).unwrap_or_default();
    let pages = u32::try_from(total.div_ceil(u64::from(HISTORY_PAGE_SIZE)))
        .unwrap_or(u32::MAX)
        .max(1);
    let mut rows = QueryBuilder::new(
        "SELECT id, created_at, transaction_type, amount, description, balance_after, appointment_id
           FROM wallet_transactions",
    );
    push_filter(&mut rows, settings, user_id, filter);
    rows.push(" ORDER BY id DESC LIMIT ")
        .push_bind(i64::from(HISTORY_PAGE_SIZE))
        .push(" OFFSET ")
        .push_bind(i64::from(filter.page.saturating_sub(1)) * i64::from(HISTORY_PAGE_SIZE));
    let mut entries = rows.build_query_as::<LedgerEntry>().fetch_all(pool).await?;
    for entry in &mut entries {
        entry.local_at = settings.local_time(entry.created_at);
    }
    Ok(WalletPage {
        card_payments,
        balance,
        entries,
        total,
        page: filter.page,
        pages,
        max_amount: settings.booking.max_wallet_amount,
        request_key: RequestKey::generate().as_str().to_owned(),
    })
}

/// The whole filtered history as CSV (newest first), dates in the clinic's time zone.
pub async fn csv(
    pool: &PgPool,
    settings: &ClinicSettings,
    user_id: i64,
    filter: &HistoryFilter,
) -> Result<String, AppError> {
    let mut rows = QueryBuilder::new(
        "SELECT id, created_at, transaction_type, amount, description, balance_after, appointment_id
           FROM wallet_transactions",
    );
    push_filter(&mut rows, settings, user_id, filter);
    rows.push(" ORDER BY id DESC");
    let entries = rows.build_query_as::<LedgerEntry>().fetch_all(pool).await?;
    Ok(super::csv::table(
        &[
            "Date",
            "Type",
            "Amount",
            "Balance after",
            "Description",
            "Appointment",
        ],
        entries.into_iter().map(|entry| {
            vec![
                settings
                    .local_time(entry.created_at)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                entry.transaction_type.label().to_owned(),
                entry.amount.plain(),
                entry.balance_after.plain(),
                entry.description,
                entry
                    .appointment_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            ]
        }),
    ))
}

/// Records what the gateway said about one card operation.
#[allow(clippy::too_many_arguments)]
async fn record_operation(
    conn: &mut PgConnection,
    gateway: &dyn PaymentGateway,
    user_id: i64,
    kind: TransactionType,
    amount: Money,
    card: &Card,
    answer: &GatewayAnswer,
    entry_id: Option<i64>,
) -> Result<(), AppError> {
    let (status, external_id, message) = match answer {
        GatewayAnswer::Approved { external_id } => ("succeeded", Some(external_id.as_str()), ""),
        GatewayAnswer::Declined { message } => ("declined", None, message.as_str()),
    };
    sqlx::query(
        "INSERT INTO gateway_operations
                (user_id, kind, amount, status, gateway, card_last4, external_id, message,
                 wallet_transaction_id, settled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(amount)
    .bind(status)
    .bind(gateway.name())
    .bind(card.last4())
    .bind(external_id)
    .bind(message)
    .bind(entry_id)
    .execute(conn)
    .await?;
    Ok(())
}

fn unreachable_message() -> AppError {
    AppError::Conflict(
        "We could not reach the card network, so nothing was charged. Please try again in a moment."
            .to_owned(),
    )
}

/// Adds `amount` to the wallet, charged to `card`. Once per request key.
pub async fn top_up(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    user_id: i64,
    card: &Card,
    amount: Money,
    key: &RequestKey,
) -> Result<WalletReceipt, AppError> {
    let fingerprint = format!("{};{}", amount.amount(), card.last4());
    let request = Request {
        user_id,
        key,
        operation: "top_up",
        fingerprint: &fingerprint,
    };
    let mut tx = pool.begin().await?;
    if let Some(answer) = idempotency::claim(&mut tx, request).await? {
        return answer;
    }
    let balance = ledger::lock_balance(&mut tx, user_id).await?;
    let room = Money::from_decimal(Money::max_storable().amount() - balance.amount());
    if amount > room {
        let answer = Err(AppError::validation(
            "amount",
            format!(
                "A wallet holds at most {}; you can add up to {room}.",
                Money::max_storable()
            ),
        ));
        return idempotency::settle(tx, request, answer).await;
    }
    let answer = match gateway
        .charge(CardRequest {
            key: key.as_str(),
            card,
            amount,
        })
        .await
    {
        Err(unreachable) => {
            tracing::warn!(user_id, reason = %unreachable.0, "top-up: the gateway did not answer");
            // Not an answer: the key is released so the same request can be tried again, and the
            // gateway (which has the same key) will not charge twice.
            tx.rollback().await?;
            return Err(unreachable_message());
        }
        Ok(GatewayAnswer::Approved { external_id }) => {
            let description = format!("Top-up by card ending {}", card.last4());
            let posted = ledger::post(
                &mut tx,
                Posting {
                    user_id,
                    kind: TransactionType::Deposit,
                    amount,
                    description: &description,
                    appointment_id: None,
                    actor: Some(user_id),
                },
            )
            .await?
            .ok_or_else(|| AppError::internal("a deposit was refused by the balance guard"))?;
            let answer = GatewayAnswer::Approved {
                external_id: external_id.clone(),
            };
            record_operation(
                &mut tx,
                gateway,
                user_id,
                TransactionType::Deposit,
                amount,
                card,
                &answer,
                Some(posted.entry_id),
            )
            .await?;
            Ok(WalletReceipt {
                amount,
                balance: posted.balance_after,
                external_id,
            })
        }
        Ok(declined @ GatewayAnswer::Declined { .. }) => {
            record_operation(
                &mut tx,
                gateway,
                user_id,
                TransactionType::Deposit,
                amount,
                card,
                &declined,
                None,
            )
            .await?;
            let GatewayAnswer::Declined { message } = declined else {
                unreachable!("matched above")
            };
            Err(AppError::validation("card_number", message))
        }
    };
    idempotency::settle(tx, request, answer).await
}

/// Sends `amount` from the wallet to `card`. Once per request key; never more than the balance.
pub async fn withdraw(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    user_id: i64,
    card: &Card,
    amount: Money,
    key: &RequestKey,
) -> Result<WalletReceipt, AppError> {
    let fingerprint = format!("{};{}", amount.amount(), card.last4());
    let request = Request {
        user_id,
        key,
        operation: "withdraw",
        fingerprint: &fingerprint,
    };
    let mut tx = pool.begin().await?;
    if let Some(answer) = idempotency::claim(&mut tx, request).await? {
        return answer;
    }
    let balance = ledger::lock_balance(&mut tx, user_id).await?;
    if amount > balance {
        let answer = Err(AppError::validation(
            "amount",
            format!("Your balance is {balance}: you can withdraw at most that."),
        ));
        return idempotency::settle(tx, request, answer).await;
    }
    // The money leaves the wallet first (the row stays locked), then goes to the card; a
    // declined payout puts it back by rolling the debit back.
    let mut debit = sqlx::Acquire::begin(&mut tx).await?;
    let description = format!("Withdrawal to card ending {}", card.last4());
    let posted = ledger::post(
        &mut debit,
        Posting {
            user_id,
            kind: TransactionType::Withdrawal,
            amount,
            description: &description,
            appointment_id: None,
            actor: Some(user_id),
        },
    )
    .await?
    .ok_or_else(|| AppError::internal("a checked withdrawal was refused by the balance guard"))?;
    let answer = match gateway
        .payout(CardRequest {
            key: key.as_str(),
            card,
            amount,
        })
        .await
    {
        Err(unreachable) => {
            tracing::warn!(user_id, reason = %unreachable.0, "withdrawal: the gateway did not answer");
            debit.rollback().await?;
            tx.rollback().await?;
            return Err(unreachable_message());
        }
        Ok(GatewayAnswer::Approved { external_id }) => {
            debit.commit().await?;
            record_operation(
                &mut tx,
                gateway,
                user_id,
                TransactionType::Withdrawal,
                amount,
                card,
                &GatewayAnswer::Approved {
                    external_id: external_id.clone(),
                },
                Some(posted.entry_id),
            )
            .await?;
            Ok(WalletReceipt {
                amount,
                balance: posted.balance_after,
                external_id,
            })
        }
        Ok(GatewayAnswer::Declined { message }) => {
            debit.rollback().await?;
            record_operation(
                &mut tx,
                gateway,
                user_id,
                TransactionType::Withdrawal,
                amount,
                card,
                &GatewayAnswer::Declined {
                    message: message.clone(),
                },
                None,
            )
            .await?;
            Err(AppError::validation("card_number", message))
        }
    };
    idempotency::settle(tx, request, answer).await
}

/// The user's wallet balance.
pub async fn balance(pool: &PgPool, user_id: i64) -> Result<Money, AppError> {
    Ok(
        sqlx::query_scalar("SELECT wallet_balance FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(pool)
            .await?,
    )
}
