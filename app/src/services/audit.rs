//! The audit log: one append-only row per admin action and per money movement, written on the
//! caller's connection so it commits or rolls back with the change it describes.

use serde_json::Value;
use sqlx::PgConnection;

use crate::domain::AppError;

/// What an audit row is about: a table's name in the singular and the row's id.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub kind: &'a str,
    pub id: Option<i64>,
}

impl<'a> Target<'a> {
    pub fn new(kind: &'a str, id: i64) -> Self {
        Self { kind, id: Some(id) }
    }
}

/// Records that `actor` (None: the system, such as a background job) did `action` to `target`,
/// with the state before and after (`None` when there was none; build them with
/// `serde_json::json!`).
pub async fn record(
    conn: &mut PgConnection,
    actor: Option<i64>,
    action: &str,
    target: Target<'_>,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, target_type, target_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor)
    .bind(action)
    .bind(target.kind)
    .bind(target.id)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}
