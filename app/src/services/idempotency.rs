//! Request keys: a booking or payment request is carried out once per key. The first request
//! stores its answer in the same transaction as its effect; a repeat waits for that transaction
//! (the key's primary key makes it wait) and then gets the stored answer.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{PgConnection, Postgres, Transaction};

use crate::domain::AppError;
use crate::domain::booking::RequestKey;

/// A request identified by its key.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub user_id: i64,
    pub key: &'a RequestKey,
    /// What is being asked (`book`, `pay`, ...).
    pub operation: &'a str,
    /// The request's inputs, so a key reused for another request is caught.
    pub fingerprint: &'a str,
}

/// Claims the key on `conn`'s transaction. `Some(answer)` when the request was already answered.
pub async fn claim<T: DeserializeOwned>(
    conn: &mut PgConnection,
    request: Request<'_>,
) -> Result<Option<Result<T, AppError>>, AppError> {
    let fresh = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, operation, fingerprint, response)
         VALUES ($1, $2, $3, $4, 'null') ON CONFLICT DO NOTHING",
    )
    .bind(request.user_id)
    .bind(request.key.as_str())
    .bind(request.operation)
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
    if operation != request.operation || fingerprint != request.fingerprint {
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

/// The answer stored under `key`, if the request is known.
pub async fn stored<T: DeserializeOwned>(
    pool: &sqlx::PgPool,
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
pub async fn settle<T: Serialize>(
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
