//! The wallet: its history page and CSV export, and top-ups and withdrawals by card through the
//! payment gateway. Balances change only through [`super::ledger`].

use chrono::Days;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

use super::ClinicSettings;
use super::gateway::{
    CardRequest, GatewayAnswer, GatewayFuture, GatewayUnreachable, PaymentGateway,
};
use super::idempotency::{self, Opened, Request};
use super::ledger::{self, Posting};
use super::listing::CsvExport;
use crate::domain::money::Money;
use crate::domain::request_key::RequestKey;
use crate::domain::wallet::{
    Card, CardPayments, HISTORY_PAGE_SIZE, HistoryFilter, HistoryParams, LedgerEntry,
    TransactionType, WalletOverview, WalletReceipt,
};
use crate::domain::{AppError, UserRole, format};

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
) -> Result<WalletOverview, AppError> {
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
    Ok(WalletOverview {
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

/// The history downloads as CSV: every row the filter matches, newest first, dates in the
/// clinic's time zone.
impl CsvExport for LedgerEntry {
    type Params = HistoryParams;
    const ROLE: UserRole = UserRole::Patient;
    const FILE: &'static str = "wallet-transactions";
    const HEADER: &'static [&'static str] = &[
        "Date",
        "Type",
        "Amount",
        "Balance after",
        "Description",
        "Appointment",
    ];

    async fn rows(
        pool: &PgPool,
        settings: &ClinicSettings,
        caller: i64,
        params: &HistoryParams,
    ) -> Result<Vec<Self>, AppError> {
        let filter = params.parse()?;
        let mut rows = QueryBuilder::new(
            "SELECT id, created_at, transaction_type, amount, description, balance_after, appointment_id
               FROM wallet_transactions",
        );
        push_filter(&mut rows, settings, caller, &filter);
        rows.push(" ORDER BY id DESC");
        Ok(rows.build_query_as::<LedgerEntry>().fetch_all(pool).await?)
    }

    fn record(self, settings: &ClinicSettings) -> Vec<String> {
        vec![
            format::iso_minute(settings.local_time(self.created_at)),
            self.transaction_type.label().to_owned(),
            self.amount.plain(),
            self.balance_after.plain(),
            self.description,
            self.appointment_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
        ]
    }
}

// Card operations, in three steps, so that the provider is never called while the wallet is
// locked and no answer is ever lost:
// 1. one transaction claims the request key and records the operation as pending (a
//    withdrawal also takes the money from the wallet here, so it cannot be spent twice);
// 2. the provider is called, outside any transaction, within its time limit;
// 3. one transaction settles: the deposit is credited, or a declined payout's money given
//    back, and the answer stored under the request key.
// An operation whose answer never came (a timeout, a crash between 2 and 3) stays pending;
// `reconcile` asks the provider about it later and settles it the same way.

/// How the provider answered a card operation, as `gateway_operations.status` records it (an
/// operation is `pending` until then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardStatus {
    Succeeded,
    Declined,
}

impl CardStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Declined => "declined",
        }
    }
}

/// A card operation as recorded.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Operation {
    id: i64,
    user_id: i64,
    kind: TransactionType,
    amount: Money,
    card_last4: String,
    request_key: String,
    /// A withdrawal's debit (taken in step 1).
    wallet_transaction_id: Option<i64>,
}

const OPERATION_COLUMNS: &str =
    "id, user_id, kind, amount, card_last4, request_key, wallet_transaction_id";

/// What step 1 records.
struct NewOperation<'a> {
    user_id: i64,
    kind: TransactionType,
    amount: Money,
    card: &'a Card,
    key: &'a RequestKey,
    /// A withdrawal's debit, taken in the same transaction.
    debit: Option<i64>,
}

/// Step 1's record: a pending operation under its request key.
async fn record_pending(
    conn: &mut PgConnection,
    gateway: &dyn PaymentGateway,
    new: NewOperation<'_>,
) -> Result<Operation, AppError> {
    Ok(sqlx::query_as(&format!(
        "INSERT INTO gateway_operations
                (user_id, kind, amount, status, gateway, card_last4, request_key, wallet_transaction_id)
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7)
         RETURNING {OPERATION_COLUMNS}"
    ))
    .bind(new.user_id)
    .bind(new.kind.as_str())
    .bind(new.amount)
    .bind(gateway.name())
    .bind(new.card.last4())
    .bind(new.key.as_str())
    .bind(new.debit)
    .fetch_one(conn)
    .await?)
}

/// Step 2: the provider's answer, or `Unreachable` when none came within its time limit.
async fn ask(
    gateway: &dyn PaymentGateway,
    call: GatewayFuture<'_>,
) -> Result<GatewayAnswer, GatewayUnreachable> {
    match tokio::time::timeout(gateway.timeout(), call).await {
        Ok(answer) => answer,
        Err(_) => Err(GatewayUnreachable(format!(
            "no answer within {:?}",
            gateway.timeout()
        ))),
    }
}

fn still_asking() -> AppError {
    AppError::Conflict(
        "We could not get an answer from the card network in time. We keep asking it: if your \
         card was charged, your wallet shows it within a few minutes, so there is no need to pay \
         again."
            .to_owned(),
    )
}

/// What settling an operation came to: settled now, or found settled already (by another
/// instance, or by reconciliation). Either way, the answer the patient gets.
enum Settlement {
    Now(Result<WalletReceipt, AppError>),
    Before(Result<WalletReceipt, AppError>),
}

impl Settlement {
    fn into_answer(self) -> Result<WalletReceipt, AppError> {
        match self {
            Self::Now(answer) | Self::Before(answer) => answer,
        }
    }
}

/// Step 3: settles `operation` with the provider's `answer` and stores the patient's answer
/// under its request key, unless it was settled already.
async fn settle_operation(
    pool: &PgPool,
    operation: &Operation,
    answer: GatewayAnswer,
) -> Result<Settlement, AppError> {
    let key = RequestKey::parse(&operation.request_key)?;
    let mut tx = pool.begin().await?;
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM gateway_operations WHERE id = $1 AND status = 'pending' FOR UPDATE",
    )
    .bind(operation.id)
    .fetch_optional(&mut *tx)
    .await?;
    if pending.is_none() {
        tx.rollback().await?;
        let stored = idempotency::stored(pool, operation.user_id, &key).await?;
        return Ok(Settlement::Before(
            stored.unwrap_or_else(|| Err(still_asking())),
        ));
    }
    let last4 = &operation.card_last4;
    let receipt = match (operation.kind, answer) {
        (TransactionType::Deposit, GatewayAnswer::Approved { external_id }) => {
            let description = format!("Top-up by card ending {last4}");
            let posted = ledger::post(
                &mut tx,
                Posting {
                    user_id: operation.user_id,
                    kind: TransactionType::Deposit,
                    amount: operation.amount,
                    description: &description,
                    appointment_id: None,
                    actor: Some(operation.user_id),
                },
            )
            .await?;
            match posted {
                Some(posted) => {
                    mark(
                        &mut tx,
                        operation.id,
                        CardStatus::Succeeded,
                        Some(&external_id),
                        "",
                        Some(posted.entry_id),
                        None,
                    )
                    .await?;
                    Ok(WalletReceipt {
                        amount: operation.amount,
                        balance: posted.balance_after,
                        external_id,
                    })
                }
                // The card was charged but the wallet cannot hold it (the ceiling was reached
                // meanwhile): the operation stays pending for the clinic to refund by hand.
                None => {
                    tracing::error!(
                        operation = operation.id,
                        "an approved top-up could not be credited; it stays pending"
                    );
                    tx.rollback().await?;
                    return Err(AppError::internal(format_args!(
                        "approved top-up {} could not be credited",
                        operation.id
                    )));
                }
            }
        }
        (TransactionType::Withdrawal, GatewayAnswer::Approved { external_id }) => {
            let balance_after: Money =
                sqlx::query_scalar("SELECT balance_after FROM wallet_transactions WHERE id = $1")
                    .bind(operation.wallet_transaction_id)
                    .fetch_one(&mut *tx)
                    .await?;
            mark(
                &mut tx,
                operation.id,
                CardStatus::Succeeded,
                Some(&external_id),
                "",
                operation.wallet_transaction_id,
                None,
            )
            .await?;
            Ok(WalletReceipt {
                amount: operation.amount,
                balance: balance_after,
                external_id,
            })
        }
        (TransactionType::Withdrawal, GatewayAnswer::Declined { message }) => {
            let description =
                format!("Returned: the payout to card ending {last4} did not go through");
            let returned = ledger::post(
                &mut tx,
                Posting {
                    user_id: operation.user_id,
                    kind: TransactionType::Deposit,
                    amount: operation.amount,
                    description: &description,
                    appointment_id: None,
                    actor: None,
                },
            )
            .await?
            .ok_or_else(|| {
                AppError::internal("a returned payout was refused by the balance guard")
            })?;
            mark(
                &mut tx,
                operation.id,
                CardStatus::Declined,
                None,
                &message,
                None,
                Some(returned.entry_id),
            )
            .await?;
            Err(AppError::validation("card_number", message))
        }
        (_, GatewayAnswer::Declined { message }) => {
            mark(
                &mut tx,
                operation.id,
                CardStatus::Declined,
                None,
                &message,
                None,
                None,
            )
            .await?;
            Err(AppError::validation("card_number", message))
        }
        (kind, GatewayAnswer::Approved { .. }) => {
            return Err(AppError::internal(format_args!(
                "card operation {} has kind {kind:?}",
                operation.id
            )));
        }
    };
    idempotency::store(&mut tx, operation.user_id, &key, &receipt).await?;
    tx.commit().await?;
    Ok(Settlement::Now(receipt))
}

/// Records the provider's answer on an operation.
async fn mark(
    conn: &mut PgConnection,
    operation: i64,
    status: CardStatus,
    external_id: Option<&str>,
    message: &str,
    entry: Option<i64>,
    reversal: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE gateway_operations
            SET status = $2, external_id = $3, message = left($4, 300),
                wallet_transaction_id = coalesce($5, wallet_transaction_id),
                reversal_transaction_id = $6, settled_at = now()
          WHERE id = $1",
    )
    .bind(operation)
    .bind(status.as_str())
    .bind(external_id)
    .bind(message)
    .bind(entry)
    .bind(reversal)
    .execute(conn)
    .await?;
    Ok(())
}

/// Steps 2 and 3: the provider's answer to `call` settles `operation`; without one in time it
/// stays pending for reconciliation.
async fn call_and_settle(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    operation: &Operation,
    call: GatewayFuture<'_>,
) -> Result<WalletReceipt, AppError> {
    match ask(gateway, call).await {
        Ok(answer) => settle_operation(pool, operation, answer)
            .await?
            .into_answer(),
        Err(unreachable) => {
            note_no_answer(pool, operation, &unreachable).await;
            Err(still_asking())
        }
    }
}

/// Notes that the provider did not answer about `operation` (it stays pending).
async fn note_no_answer(pool: &PgPool, operation: &Operation, why: &GatewayUnreachable) {
    tracing::warn!(operation = operation.id, user_id = operation.user_id, reason = %why.0, "card operation: no answer from the gateway; it stays pending");
    let noted = sqlx::query(
        "UPDATE gateway_operations SET attempts = attempts + 1, last_attempt_at = now() WHERE id = $1",
    )
    .bind(operation.id)
    .execute(pool)
    .await;
    if let Err(err) = noted {
        tracing::warn!(%err, "could not note an unanswered card operation");
    }
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
        operation: idempotency::Operation::TopUp,
        fingerprint: &fingerprint,
    };
    let step = idempotency::open(pool, request, async |conn| {
        let balance = ledger::lock_balance(conn, user_id).await?;
        let room = Money::from_decimal(Money::max_storable().amount() - balance.amount());
        if amount > room {
            return Err(AppError::validation(
                "amount",
                format!(
                    "A wallet holds at most {}; you can add up to {room}.",
                    Money::max_storable()
                ),
            ));
        }
        let new = NewOperation {
            user_id,
            kind: TransactionType::Deposit,
            amount,
            card,
            key,
            debit: None,
        };
        record_pending(conn, gateway, new).await
    })
    .await?;
    let operation = match step {
        Opened::Answered(answer) => return answer,
        Opened::Open(operation) => operation,
    };

    let call = gateway.charge(CardRequest {
        key: key.as_str(),
        card,
        amount,
    });
    call_and_settle(pool, gateway, &operation, call).await
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
        operation: idempotency::Operation::Withdraw,
        fingerprint: &fingerprint,
    };
    let step = idempotency::open(pool, request, async |conn| {
        let balance = ledger::lock_balance(conn, user_id).await?;
        if amount > balance {
            return Err(AppError::validation(
                "amount",
                format!("Your balance is {balance}: you can withdraw at most that."),
            ));
        }
        // The money leaves the wallet before the payout, so it cannot be spent meanwhile; a
        // declined payout gives it back.
        let description = format!("Withdrawal to card ending {}", card.last4());
        let posted = ledger::post(
            conn,
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
        .ok_or_else(|| {
            AppError::internal("a checked withdrawal was refused by the balance guard")
        })?;
        let new = NewOperation {
            user_id,
            kind: TransactionType::Withdrawal,
            amount,
            card,
            key,
            debit: Some(posted.entry_id),
        };
        record_pending(conn, gateway, new).await
    })
    .await?;
    let operation = match step {
        Opened::Answered(answer) => return answer,
        Opened::Open(operation) => operation,
    };

    let call = gateway.payout(CardRequest {
        key: key.as_str(),
        card,
        amount,
    });
    call_and_settle(pool, gateway, &operation, call).await
}

/// Pending operations younger than this may still be settled by the request that made them.
const RECONCILE_AFTER_SECS: i64 = 60;

/// Settles card operations whose answer was lost (a timeout, a crash), by asking the provider
/// what became of each one's request key. Safe in several instances at once: each operation
/// is settled once (the pending row is locked and checked when settling). Returns how many
/// were settled.
pub async fn reconcile(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u32, AppError> {
    let pending: Vec<Operation> = sqlx::query_as(&format!(
        "SELECT {OPERATION_COLUMNS} FROM gateway_operations
          WHERE status = 'pending' AND request_key IS NOT NULL AND created_at < $1
          ORDER BY created_at LIMIT 100"
    ))
    .bind(now - chrono::Duration::seconds(RECONCILE_AFTER_SECS))
    .fetch_all(pool)
    .await?;
    let mut settled = 0;
    for operation in &pending {
        let status =
            match tokio::time::timeout(gateway.timeout(), gateway.status(&operation.request_key))
                .await
            {
                Ok(status) => status,
                Err(_) => Err(GatewayUnreachable(
                    "no answer about the operation in time".to_owned(),
                )),
            };
        let answer = match status {
            Ok(Some(answer)) => answer,
            // The provider never received it: nothing moved.
            Ok(None) => GatewayAnswer::Declined {
                message: "The card network never received this request, so nothing was charged. Please try again.".to_owned(),
            },
            Err(unreachable) => {
                note_no_answer(pool, operation, &unreachable).await;
                continue;
            }
        };
        match settle_operation(pool, operation, answer).await {
            Err(err) => {
                tracing::warn!(operation = operation.id, %err, "reconciliation could not settle a card operation");
            }
            Ok(Settlement::Before(_)) => {}
            Ok(Settlement::Now(_)) => {
                settled += 1;
                tracing::info!(
                    operation = operation.id,
                    "reconciliation settled a card operation"
                );
            }
        }
    }
    Ok(settled)
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
