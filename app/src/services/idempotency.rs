//! Request keys: a booking or payment request is carried out once per key. The first request
//! stores its answer in the same transaction as its effect; a repeat waits for that transaction
//! (the key's primary key makes it wait) and then gets the stored answer.
//!
//! A command reads as its rule: [`run`] claims the key, runs the rule in a savepoint, stores the
//! answer and commits; [`open`] does the same for the first step of a card operation, whose
//! answer a later transaction stores with [`store`].

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::domain::AppError;
use crate::domain::request_key::RequestKey;

/// What a request asks for, as `idempotency_keys.operation` stores it: a key reused for another
/// kind of request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Book,
    Pay,
    Cancel,
    Reschedule,
    TopUp,
    Withdraw,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Book => "book",
            Self::Pay => "pay",
            Self::Cancel => "cancel",
            Self::Reschedule => "reschedule",
            Self::TopUp => "top_up",
            Self::Withdraw => "withdraw",
        }
    }
}

/// A request identified by its key.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub user_id: i64,
    pub key: &'a RequestKey,
    pub operation: Operation,
    /// The request's inputs, so a key reused for another request is caught.
    pub fingerprint: &'a str,
}

/// Carries out `rule` once per request key and answers it: a repeat of the request gets the
/// first answer. The rule runs in a savepoint, so a refusal leaves nothing behind but the
/// stored answer; an internal error rolls everything back (the key too), so a retry runs the
/// request again.
pub async fn run<T, F>(pool: &PgPool, request: Request<'_>, rule: F) -> Result<T, AppError>
where
    T: Serialize + DeserializeOwned,
    F: AsyncFnOnce(&mut PgConnection) -> Result<T, AppError>,
{
    match claim_and_run(pool, request, rule).await? {
        Ran::Before(answer) => answer,
        Ran::Now(tx, answer) => settle(tx, request, answer).await,
    }
}

/// What the first step of a request answered later came to.
pub enum Opened<T, P> {
    /// The request's answer: given before (a repeat), or the step's refusal (stored now).
    Answered(Result<T, AppError>),
    /// The step's work, committed with the key still open ("in progress") until the answer is
    /// stored with [`store`].
    Open(P),
}

/// The first step of a request whose answer comes later (a card operation, whose provider is
/// called outside any transaction): claims the key and runs `step` in a savepoint. A refusal is
/// the request's answer and stored at once; what the step records is committed, the request
/// still open.
pub async fn open<T, P, F>(
    pool: &PgPool,
    request: Request<'_>,
    step: F,
) -> Result<Opened<T, P>, AppError>
where
    T: Serialize + DeserializeOwned,
    F: AsyncFnOnce(&mut PgConnection) -> Result<P, AppError>,
{
    match claim_and_run(pool, request, step).await? {
        Ran::Before(answer) => Ok(Opened::Answered(answer)),
        Ran::Now(tx, Ok(work)) => {
            tx.commit().await?;
            Ok(Opened::Open(work))
        }
        Ran::Now(tx, Err(refusal)) => Ok(Opened::Answered(settle(tx, request, Err(refusal)).await)),
    }
}

/// A claimed request after its work ran: answered before, or run now (the transaction still
/// open, with the work's result).
enum Ran<'p, T, R> {
    Before(Result<T, AppError>),
    Now(Transaction<'p, Postgres>, Result<R, AppError>),
}

/// Claims the request's key and, unless it was answered before, runs `work` in a savepoint of the
/// transaction that holds the claim.
async fn claim_and_run<'p, T, R, F>(
    pool: &'p PgPool,
    request: Request<'_>,
    work: F,
) -> Result<Ran<'p, T, R>, AppError>
where
    T: DeserializeOwned,
    F: AsyncFnOnce(&mut PgConnection) -> Result<R, AppError>,
{
    let mut tx = pool.begin().await?;
    if let Some(answer) = claim(&mut tx, request).await? {
        return Ok(Ran::Before(answer));
    }
    let mut savepoint = sqlx::Acquire::begin(&mut tx).await?;
    let answer = work(&mut savepoint).await;
    close_savepoint(savepoint, &answer).await?;
    Ok(Ran::Now(tx, answer))
}

/// Commits a savepoint when its work succeeded, rolls it back otherwise.
async fn close_savepoint<T>(
    work: Transaction<'_, Postgres>,
    answer: &Result<T, AppError>,
) -> Result<(), AppError> {
    if answer.is_ok() {
        work.commit().await?;
    } else {
        work.rollback().await?;
    }
    Ok(())
}

/// Claims the key on `conn`'s transaction. `Some(answer)` when the request was already answered.
async fn claim<T: DeserializeOwned>(
    conn: &mut PgConnection,
    request: Request<'_>,
) -> Result<Option<Result<T, AppError>>, AppError> {
    let fresh = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, operation, fingerprint, response)
         VALUES ($1, $2, $3, $4, 'null') ON CONFLICT DO NOTHING",
    )
    .bind(request.user_id)
    .bind(request.key.as_str())
    .bind(request.operation.as_str())
    .bind(request.fingerprint)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if fresh {
        return Ok(None);
    }
    let (operation, fingerprint, response): (String, String, serde_json::Value) = sqlx::query_as(
        "SELECT operation, fingerprint, response FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    )
    .bind(request.user_id)
    .bind(request.key.as_str())
    .fetch_one(&mut *conn)
    .await?;
    if operation != request.operation.as_str() || fingerprint != request.fingerprint {
        return Err(AppError::Conflict(
            "This form was already used for another request. Reload the page and try again."
                .to_owned(),
        ));
    }
    Ok(Some(answer_of(response)?))
}

/// A stored response: the answer, or "still in progress" while a card operation waits for
/// its provider (its key is committed before the provider is called).
fn answer_of<T: DeserializeOwned>(
    response: serde_json::Value,
) -> Result<Result<T, AppError>, AppError> {
    if response.is_null() {
        return Ok(Err(AppError::Conflict(
            "This request is still being processed. Wait a moment, then reload the page to see how it went."
                .to_owned(),
        )));
    }
    serde_json::from_value(response).map_err(AppError::internal)
}

/// Whether a request with `key` was made before by `user_id` (carried out, or under way): a
/// repeat of it is answered from the store and does nothing new, so the limits on new requests
/// must neither count nor refuse it.
pub async fn is_known(pool: &PgPool, user_id: i64, key: &RequestKey) -> Result<bool, AppError> {
    let known = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2)",
    )
    .bind(user_id)
    .bind(key.as_str())
    .fetch_one(pool)
    .await?;
    Ok(known)
}

/// The answer stored under `key`, if the request is known.
pub async fn stored<T: DeserializeOwned>(
    pool: &PgPool,
    user_id: i64,
    key: &RequestKey,
) -> Result<Option<Result<T, AppError>>, AppError> {
    let response: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT response FROM idempotency_keys WHERE user_id = $1 AND key = $2")
            .bind(user_id)
            .bind(key.as_str())
            .fetch_optional(pool)
            .await?;
    response.map(answer_of).transpose()
}

/// Stores `answer` under `key` on `conn`'s transaction, for a request whose key was claimed in
/// an earlier one (card operations). An internal error is not stored: the request stays open.
pub async fn store<T: Serialize>(
    conn: &mut PgConnection,
    user_id: i64,
    key: &RequestKey,
    answer: &Result<T, AppError>,
) -> Result<(), AppError> {
    if matches!(answer, Err(AppError::Internal { .. })) {
        return Ok(());
    }
    let stored = serde_json::to_value(answer).map_err(AppError::internal)?;
    sqlx::query("UPDATE idempotency_keys SET response = $3 WHERE user_id = $1 AND key = $2")
        .bind(user_id)
        .bind(key.as_str())
        .bind(stored)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores `answer` with the key and commits. An internal error is not an answer: everything
/// rolls back (the key too), so a retry runs the request again.
async fn settle<T: Serialize>(
    mut tx: Transaction<'_, Postgres>,
    request: Request<'_>,
    answer: Result<T, AppError>,
) -> Result<T, AppError> {
    if matches!(answer, Err(AppError::Internal { .. })) {
        tx.rollback().await?;
        return answer;
    }
    let stored = serde_json::to_value(&answer).map_err(AppError::internal)?;
    sqlx::query("UPDATE idempotency_keys SET response = $3 WHERE user_id = $1 AND key = $2")
        .bind(request.user_id)
        .bind(request.key.as_str())
        .bind(stored)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    answer
}
