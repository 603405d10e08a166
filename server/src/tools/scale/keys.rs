//! The seeded tables' foreign keys, dropped for the load and added back (and so checked) after
//! it, inside the loading transaction.

use std::time::Instant;

use anyhow::Context;
use sqlx::PgConnection;

use super::{SEEDED_TABLES, SeedProgress};
use crate::database::quote_identifier;

/// A foreign key of a seeded table, as `pg_get_constraintdef` spells it.
pub(super) struct ForeignKey {
    table: String,
    name: String,
    definition: String,
}

/// Drops the foreign keys of the seeded tables (in the transaction, so they cannot be lost).
/// Checked row by row they cost tens of microseconds each, a few minutes for the whole load;
/// added back afterwards, each is validated by one join over the table.
pub(super) async fn drop_foreign_keys(conn: &mut PgConnection) -> anyhow::Result<Vec<ForeignKey>> {
    let keys: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
           FROM pg_constraint
          WHERE contype = 'f' AND conrelid = ANY($1::text[]::regclass[])
          ORDER BY conrelid::regclass::text, conname",
    )
    .bind(SEEDED_TABLES)
    .fetch_all(&mut *conn)
    .await?;
    let keys: Vec<ForeignKey> = keys
        .into_iter()
        .map(|(table, name, definition)| ForeignKey {
            table,
            name,
            definition,
        })
        .collect();
    for key in &keys {
        sqlx::raw_sql(&format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            key.table,
            quote_identifier(&key.name)
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(keys)
}

/// Adds the keys back exactly as they were; PostgreSQL checks every row against each.
pub(super) async fn restore_foreign_keys(
    conn: &mut PgConnection,
    keys: &[ForeignKey],
    progress: &mut dyn SeedProgress,
) -> anyhow::Result<()> {
    let started = Instant::now();
    for key in keys {
        sqlx::raw_sql(&format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            key.table,
            quote_identifier(&key.name),
            key.definition
        ))
        .execute(&mut *conn)
        .await
        .with_context(|| format!("the data breaks {} on {}", key.name, key.table))?;
    }
    progress.step(format!(
        "checked {} foreign keys in {:.1} s",
        keys.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}
