//! The wallet ledger: the only code that changes a balance. Each change is one statement that
//! moves the balance (refusing to take it below zero) and appends the ledger row with the
//! balance after, plus the audit row, all on the caller's transaction.

use serde_json::json;
use sqlx::PgConnection;

use super::audit::{self, Action, Target};
use crate::domain::AppError;
use crate::domain::money::Money;
use crate::domain::text::header_line;
use crate::domain::wallet::TransactionType;

/// The longest description: the `wallet_transactions.description` column's `VARCHAR(200)`.
const MAX_DESCRIPTION_CHARS: usize = 200;

/// One movement of money.
#[derive(Debug, Clone, Copy)]
pub struct Posting<'a> {
    pub user_id: i64,
    pub kind: TransactionType,
    /// Always positive: the kind decides the direction.
    pub amount: Money,
    pub description: &'a str,
    pub appointment_id: Option<i64>,
    /// Who caused it (the patient, an admin, a doctor), or `None` for the system.
    pub actor: Option<i64>,
}

/// The ledger row a posting wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub entry_id: i64,
    pub balance_after: Money,
}

/// Moves the money; `None` (and nothing written) when it would take the balance below zero, and
/// a conflict that says what to do (nothing written either) when it would take it past the most
/// a `NUMERIC(10,2)` balance holds: the database would refuse that with an opaque error, which
/// left an appointment whose refund did not fit impossible to cancel.
pub async fn post(
    conn: &mut PgConnection,
    posting: Posting<'_>,
) -> Result<Option<Posted>, AppError> {
    let signed = match posting.kind {
        TransactionType::Deposit | TransactionType::Refund => posting.amount.amount(),
        TransactionType::Withdrawal | TransactionType::Payment => -posting.amount.amount(),
    };
    let description = header_line(posting.description, MAX_DESCRIPTION_CHARS);
    let row: Option<(i64, Money)> = sqlx::query_as(
        "WITH moved AS (
             UPDATE users SET wallet_balance = wallet_balance + $2
              WHERE id = $1 AND wallet_balance + $2 >= 0 AND wallet_balance + $2 <= $6
          RETURNING wallet_balance)
         INSERT INTO wallet_transactions
                (user_id, transaction_type, amount, description, balance_after, appointment_id)
         SELECT $1, $3, $2, $4, wallet_balance, $5 FROM moved
         RETURNING id, balance_after",
    )
    .bind(posting.user_id)
    .bind(signed)
    .bind(posting.kind.as_str())
    .bind(&description)
    .bind(posting.appointment_id)
    .bind(Money::max_storable())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((entry_id, balance_after)) = row else {
        if signed.is_sign_positive() {
            let balance = lock_balance(conn, posting.user_id).await?;
            return Err(too_much(posting, balance));
        }
        return Ok(None);
    };
    audit::record(
        conn,
        posting.actor,
        Action::Wallet(posting.kind),
        Target::wallet_transaction(entry_id),
        None,
        Some(json!({
            "user_id": posting.user_id,
            "amount": signed,
            "balance_after": balance_after,
            "appointment_id": posting.appointment_id,
            "description": description,
        })),
    )
    .await?;
    Ok(Some(Posted {
        entry_id,
        balance_after,
    }))
}

/// The refusal of a credit that would not fit the wallet, with the room left and what to do.
fn too_much(posting: Posting<'_>, balance: Money) -> AppError {
    let most = Money::max_storable();
    let room = Money::from_decimal(most.amount() - balance.amount()).max(Money::ZERO);
    let what = match posting.kind {
        TransactionType::Refund => format!("The refund of {}", posting.amount),
        _ => format!("Adding {}", posting.amount),
    };
    AppError::Conflict(format!(
        "{what} would take the wallet past {most}, the most a wallet can hold (it has room for \
         {room}). Nothing was changed: withdraw money from the wallet first, then try again."
    ))
}

/// Locks the user's wallet for the rest of the transaction and returns its balance, so a
/// decision taken on it (confirm now or hold) still holds when the money moves.
pub async fn lock_balance(conn: &mut PgConnection, user_id: i64) -> Result<Money, AppError> {
    let balance =
        sqlx::query_scalar("SELECT wallet_balance FROM users WHERE id = $1 FOR NO KEY UPDATE")
            .bind(user_id)
            .fetch_one(conn)
            .await?;
    Ok(balance)
}
