//! Backups (`server backup`, `server restore`): a database full of realistic data comes back
//! from a round trip exactly (every table's rows, every sequence, every index, constraint and
//! trigger), the invariants hold after it, a database that holds tables is refused unless the
//! operator replaces it, and what is not a backup is refused with a clear word.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::Utc;
use sqlx::PgPool;

use app::domain::UserRole;
use app::services::booking;
use server::tools::scale::{self, ScalePlan, SeedOutcome};
use server::tools::{backup, restore};

use crate::harness::{TestDb, account, assert_invariants, count, key, settings, sign_in};

/// Small, but every table the app writes gets rows.
const PLAN: ScalePlan = ScalePlan {
    doctors: 8,
    patients: 20,
    slots: 400,
    appointments: 80,
    reviews: 40,
};

/// Each table's row count and a checksum of its rows in primary-key order, each sequence's
/// position, and the schema's indexes, constraints and triggers.
async fn snapshot(pool: &PgPool) -> BTreeMap<String, String> {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT format('%I.%I', n.nspname, c.relname),
                coalesce((SELECT string_agg(format('t.%I', a.attname), ', '
                                            ORDER BY array_position(x.indkey::int2[], a.attnum))
                            FROM pg_index x
                            JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey)
                           WHERE x.indrelid = c.oid AND x.indisprimary), 't::text')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname NOT LIKE 'pg\\_toast%'
          ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut found = BTreeMap::new();
    for (table, order) in tables {
        let summary: String = sqlx::query_scalar(&format!(
            "SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {order}), ''))
               FROM {table} t"
        ))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|err| panic!("{table}: {err}"));
        found.insert(format!("table {table}"), summary);
    }
    let sequences: Vec<(String, String)> = sqlx::query_as(
        "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value::text, 'unused')
           FROM pg_sequences ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("sequences");
    for (sequence, position) in sequences {
        found.insert(format!("sequence {sequence}"), position);
    }
    for (kind, sql) in [
        (
            "indexes",
            "SELECT coalesce(string_agg(def, E'\\n' ORDER BY def), '')
               FROM (SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x
                       JOIN pg_class c ON c.oid = x.indrelid
                       JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                        AND n.nspname NOT LIKE 'pg\\_toast%') i",
        ),
        (
            "constraints",
            "SELECT coalesce(string_agg(def, E'\\n' ORDER BY def), '')
               FROM (SELECT conrelid::regclass || ' ' || conname || ' ' || contype::text || ' '
                            -- A CHECK's text is left out: PostgreSQL prints `status IN (...)`
                            -- over varchar differently once reloaded, meaning the same.
                            || CASE WHEN contype = 'c' THEN conkey::text
                                    ELSE pg_get_constraintdef(oid) END
                            || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END AS def
                       FROM pg_constraint
                      WHERE connamespace NOT IN ('pg_catalog'::regnamespace,
                                                 'information_schema'::regnamespace)) c",
        ),
        (
            "triggers",
            "SELECT coalesce(string_agg(def, E'\\n' ORDER BY def), '')
               FROM (SELECT pg_get_triggerdef(oid) || ' ' || tgenabled::text AS def
                       FROM pg_trigger WHERE NOT tgisinternal) t",
        ),
    ] {
        let definitions: String = sqlx::query_scalar(sql)
            .fetch_one(pool)
            .await
            .unwrap_or_else(|err| panic!("{kind}: {err}"));
        found.insert(kind.to_owned(), definitions);
    }
    found
}

/// What differs between two snapshots (for schema entries, the lines that differ), for the
/// assertion message.
fn differences(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut found = Vec::new();
    for key in keys {
        match (before.get(key), after.get(key)) {
            (Some(old), Some(new)) if old == new => {}
            (Some(old), Some(new)) if old.contains('\n') || new.contains('\n') => {
                let old_lines: Vec<&str> = old.lines().collect();
                let new_lines: Vec<&str> = new.lines().collect();
                for line in old_lines.iter().filter(|l| !new_lines.contains(l)) {
                    found.push(format!("{key}: lost {line}"));
                }
                for line in new_lines.iter().filter(|l| !old_lines.contains(l)) {
                    found.push(format!("{key}: gained {line}"));
                }
            }
            (old, new) => found.push(format!("{key}: {old:?} -> {new:?}")),
        }
    }
    found
}

/// A database with a generated clinic, a booking made by the booking service (its outbox mail
/// and audit rows), a signed-in session, and text that COPY must escape.
async fn filled() -> TestDb {
    let db = TestDb::new().await;
    let seeded = scale::seed(
        &db.pool,
        &PLAN,
        Utc::now(),
        chrono_tz::Europe::London,
        &mut |_: String| {},
    )
    .await
    .expect("seed");
    assert!(matches!(seeded, SeedOutcome::Seeded(_)));

    let patient = account(&db, "round.trip", UserRole::Patient).await;
    sqlx::query("UPDATE users SET email_verified_at = now() WHERE id = $1")
        .bind(patient)
        .execute(&db.pool)
        .await
        .expect("verify");
    sign_in(&db, "round.trip").await;

    // A patient of the generated clinic with money books a free future slot.
    let (rich, slot): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM users WHERE user_type = 'patient' ORDER BY wallet_balance DESC LIMIT 1),
                (SELECT id FROM time_slots WHERE is_available AND date > current_date + 2
                  ORDER BY id LIMIT 1)",
    )
    .fetch_one(&db.pool)
    .await
    .expect("a patient and a slot");
    booking::book(&db.pool, &settings(), rich, slot, "", &key(), Utc::now())
        .await
        .expect("book");

    sqlx::query(
        "UPDATE reviews SET comment = E'tab\\there, line\\nbreak, back\\\\slash, \"quotes\", ünïcödé ✓'
          WHERE id = (SELECT min(id) FROM reviews)",
    )
    .execute(&db.pool)
    .await
    .expect("tricky text");
    for table in [
        "appointments",
        "payments",
        "wallet_transactions",
        "reviews",
        "email_outbox",
    ] {
        assert!(
            count(&db.pool, &format!("SELECT count(*) FROM {table}")).await > 0,
            "the data set has no {table}"
        );
    }
    db
}

/// A file for one test's backup, removed when the test ends.
struct BackupFile(PathBuf);

impl BackupFile {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("clinic-test-{}-{name}.dump", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Self(path)
    }
}

impl Drop for BackupFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Drops everything the database holds, as a lost database would be.
async fn wipe(pool: &PgPool) {
    sqlx::raw_sql(
        "DROP SCHEMA public CASCADE; DROP SCHEMA tower_sessions CASCADE; CREATE SCHEMA public;",
    )
    .execute(pool)
    .await
    .expect("wipe");
}

#[tokio::test]
async fn a_backup_brings_back_every_row_after_the_database_is_wiped() {
    let db = filled().await;
    let file = BackupFile::new("round-trip");
    let before = snapshot(&db.pool).await;

    let report = backup::backup(&db.pool, &db.url(), &file.0, false)
        .await
        .expect("backup");
    assert!(report.bytes > 10_000, "a tiny backup: {report}");
    assert!(report.tables >= 15, "{report}");
    // Backing up changes nothing.
    assert_eq!(
        differences(&before, &snapshot(&db.pool).await),
        Vec::<String>::new()
    );

    wipe(&db.pool).await;
    assert!(
        !differences(&before, &snapshot(&db.pool).await).is_empty(),
        "the wipe left the data in place, so the comparison below would prove nothing"
    );

    let restored = restore::restore(&db.pool, &db.url(), &file.0, false)
        .await
        .expect("restore into the wiped database");
    assert!(restored.replaced.is_none());
    assert_eq!(restored.backup_migration, restored.server_migration);
    assert!(
        restored.to_string().contains("current for this server"),
        "{restored}"
    );

    let after = snapshot(&db.pool).await;
    assert_eq!(differences(&before, &after), Vec::<String>::new());
    assert_invariants(&db).await;

    // The comparison notices one changed row, and a missing table.
    sqlx::query("UPDATE reviews SET comment = coalesce(comment, '') || '.' WHERE id = (SELECT max(id) FROM reviews)")
        .execute(&db.pool)
        .await
        .expect("change a row");
    let changed = differences(&before, &snapshot(&db.pool).await);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0].starts_with("table public.reviews"),
        "{changed:?}"
    );
    sqlx::query("DROP TABLE audit_log CASCADE")
        .execute(&db.pool)
        .await
        .expect("drop a table");
    let missing = differences(&before, &snapshot(&db.pool).await);
    assert!(
        missing
            .iter()
            .any(|d| d.starts_with("table public.audit_log")),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_database_with_tables_is_replaced_only_when_asked() {
    let db = filled().await;
    let file = BackupFile::new("replace");
    let before = snapshot(&db.pool).await;
    backup::backup(&db.pool, &db.url(), &file.0, false)
        .await
        .expect("backup");

    // Later changes, which the restore must undo: a row gone and a table added.
    sqlx::raw_sql("DELETE FROM reviews; CREATE TABLE scratch (id int PRIMARY KEY)")
        .execute(&db.pool)
        .await
        .expect("change");
    let changed = snapshot(&db.pool).await;

    let refused = restore::restore(&db.pool, &db.url(), &file.0, false)
        .await
        .expect_err("a database with tables is refused");
    let message = format!("{refused:#}");
    assert!(message.contains("--replace"), "{message}");
    assert!(message.contains("Clinic database"), "{message}");
    assert_eq!(
        differences(&changed, &snapshot(&db.pool).await),
        Vec::<String>::new()
    );

    let replaced = restore::restore(&db.pool, &db.url(), &file.0, true)
        .await
        .expect("replace");
    let said = replaced.to_string();
    assert!(said.contains("Dropped what the database held"), "{said}");
    assert!(said.contains("public ("), "{said}");
    assert_eq!(
        differences(&before, &snapshot(&db.pool).await),
        Vec::<String>::new()
    );
    assert_eq!(
        count(
            &db.pool,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'scratch'"
        )
        .await,
        0
    );
    assert_invariants(&db).await;
}

#[tokio::test]
async fn a_failed_restore_changes_nothing() {
    let db = filled().await;
    let file = BackupFile::new("truncated");
    // Enough rows that most of the file is table data, so damage in its middle hits data.
    sqlx::raw_sql(
        "CREATE TABLE bulk_notes AS
           SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS note
             FROM generate_series(1, 20000) g;
         ALTER TABLE bulk_notes ADD PRIMARY KEY (id)",
    )
    .execute(&db.pool)
    .await
    .expect("bulk rows");
    backup::backup(&db.pool, &db.url(), &file.0, false)
        .await
        .expect("backup");
    let before = snapshot(&db.pool).await;
    // A backup damaged in the middle of its data, as a bad disk or copy leaves it: the table
    // of contents reads, the restore starts, and breaks off.
    let mut bytes = std::fs::read(&file.0).expect("read");
    let middle = bytes.len() * 2 / 3;
    bytes[middle..middle + 256].fill(0x55);
    std::fs::write(&file.0, &bytes).expect("damage");

    let failed = restore::restore(&db.pool, &db.url(), &file.0, true)
        .await
        .expect_err("a damaged backup fails");
    let message = format!("{failed:#}");
    assert!(message.contains("rolled back"), "{message}");
    assert_eq!(
        differences(&before, &snapshot(&db.pool).await),
        Vec::<String>::new()
    );

    // Cut short, its table of contents does not read: refused before anything is touched.
    std::fs::write(&file.0, &bytes[..bytes.len() / 2]).expect("truncate");
    let refused = restore::restore(&db.pool, &db.url(), &file.0, true)
        .await
        .expect_err("a truncated backup is refused");
    assert!(
        format!("{refused:#}").contains("could not read"),
        "{refused:#}"
    );
    assert_eq!(
        differences(&before, &snapshot(&db.pool).await),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn backups_refuse_to_overwrite_and_restores_refuse_what_is_not_a_backup() {
    let db = TestDb::new().await;
    let file = BackupFile::new("exists");
    std::fs::write(&file.0, "an earlier backup").expect("write");
    let refused = backup::backup(&db.pool, &db.url(), &file.0, false)
        .await
        .expect_err("an existing file is kept");
    assert!(
        format!("{refused:#}").contains("--overwrite"),
        "{refused:#}"
    );
    assert_eq!(
        std::fs::read_to_string(&file.0).expect("read"),
        "an earlier backup"
    );

    let not_a_backup = restore::restore(&db.pool, &db.url(), &file.0, true)
        .await
        .expect_err("text is not a backup");
    assert!(
        format!("{not_a_backup:#}").contains("not a backup in pg_dump's custom format"),
        "{not_a_backup:#}"
    );
    let missing = restore::restore(&db.pool, &db.url(), &file.0.with_extension("gone"), true)
        .await
        .expect_err("a missing file");
    assert!(
        format!("{missing:#}").contains("could not read the backup"),
        "{missing:#}"
    );

    backup::backup(&db.pool, &db.url(), &file.0, true)
        .await
        .expect("overwrite when asked");
    assert!(std::fs::read(&file.0).expect("read").starts_with(b"PGDMP"));
}
