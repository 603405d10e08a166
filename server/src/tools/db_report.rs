//! `server db-report`: how the database is used and kept, from PostgreSQL's statistics: scans
//! per index, unused and duplicate indexes, table and index bloat, the slowest statements
//! (pg_stat_statements, when the server has it) and autovacuum's last runs, as plain tables.

use std::fmt::Write as _;

use anyhow::Context;
use sqlx::PgPool;

use super::backup::human_bytes;

/// One index's use since the statistics were last reset.
#[derive(Debug, Clone)]
pub struct IndexUse {
    pub table: String,
    pub index: String,
    pub scans: i64,
    pub tuples_read: i64,
    pub bytes: i64,
    /// Unique or primary key: it enforces a rule, so it is needed even when never scanned.
    pub enforces: bool,
}

/// Indexes on one table with the same method, key columns, expressions and predicate: all but
/// one cost writes and space for nothing.
#[derive(Debug, Clone)]
pub struct DuplicateIndexes {
    pub table: String,
    pub definition: String,
    pub indexes: Vec<String>,
}

/// A table's size, dead rows and the bloat estimated from them and from its row widths.
#[derive(Debug, Clone)]
pub struct TableBloat {
    pub table: String,
    pub live_rows: i64,
    pub dead_rows: i64,
    pub bytes: i64,
    /// Bytes beyond what its live rows need, estimated; `None` without statistics.
    pub wasted_bytes: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct IndexBloat {
    pub index: String,
    pub bytes: i64,
    pub wasted_bytes: Option<i64>,
}

/// Statements by mean execution time, from pg_stat_statements.
#[derive(Debug, Clone)]
pub struct Statement {
    pub calls: i64,
    pub mean_ms: f64,
    pub total_ms: f64,
    pub rows: i64,
    pub query: String,
}

#[derive(Debug, Clone)]
pub enum Statements {
    Found(Vec<Statement>),
    /// Why there are none, and how to get them.
    Unavailable(String),
}

/// When vacuum and analyze last ran on a table, by autovacuum or by hand.
#[derive(Debug, Clone)]
pub struct Maintenance {
    pub table: String,
    pub last_autovacuum: Option<String>,
    pub last_vacuum: Option<String>,
    pub autovacuum_count: i64,
    pub last_autoanalyze: Option<String>,
    pub last_analyze: Option<String>,
    pub autoanalyze_count: i64,
    pub changed_since_analyze: i64,
}

#[derive(Debug, Clone)]
pub struct DbReport {
    pub database: String,
    pub stats_since: Option<String>,
    pub indexes: Vec<IndexUse>,
    pub duplicates: Vec<DuplicateIndexes>,
    pub tables: Vec<TableBloat>,
    pub index_bloat: Vec<IndexBloat>,
    pub statements: Statements,
    pub maintenance: Vec<Maintenance>,
}

impl DbReport {
    /// Indexes never scanned that enforce nothing: candidates for dropping.
    pub fn unused(&self) -> impl Iterator<Item = &IndexUse> {
        self.indexes
            .iter()
            .filter(|index| index.scans == 0 && !index.enforces)
    }
}

/// Schemas that are PostgreSQL's own, left out of every section.
const USER_SCHEMAS: &str =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'";

/// Gathers the report from the database behind `pool`. Reads statistics only; changes nothing.
pub async fn gather(pool: &PgPool) -> anyhow::Result<DbReport> {
    let (database, stats_since): (String, Option<String>) = sqlx::query_as(
        "SELECT current_database()::text,
                (SELECT to_char(stats_reset, 'YYYY-MM-DD HH24:MI TZ') FROM pg_stat_database
                  WHERE datname = current_database())",
    )
    .fetch_one(pool)
    .await
    .context("could not read the database's statistics")?;

    let indexes = sqlx::query_as::<_, (String, String, i64, i64, i64, bool)>(&format!(
        "SELECT format('%I.%I', n.nspname, t.relname), format('%I', i.relname),
                coalesce(s.idx_scan, 0), coalesce(s.idx_tup_read, 0),
                pg_relation_size(i.oid), x.indisunique OR x.indisprimary OR x.indisexclusion
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
          WHERE {USER_SCHEMAS}
          ORDER BY coalesce(s.idx_scan, 0) DESC, 1, 2"
    ))
    .fetch_all(pool)
    .await
    .context("could not read index usage")?
    .into_iter()
    .map(
        |(table, index, scans, tuples_read, bytes, enforces)| IndexUse {
            table,
            index,
            scans,
            tuples_read,
            bytes,
            enforces,
        },
    )
    .collect();

    // Same table, method, key columns (with their operator classes), expressions and predicate.
    let duplicates = sqlx::query_as::<_, (String, String, Vec<String>)>(&format!(
        "SELECT format('%I.%I', n.nspname, t.relname),
                min(regexp_replace(pg_get_indexdef(x.indexrelid), '^.* USING ', 'USING ')),
                array_agg(format('%I', i.relname) ORDER BY i.relname)
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE {USER_SCHEMAS}
          GROUP BY n.nspname, t.relname, i.relam, x.indkey::text, x.indclass::text,
                   coalesce(pg_get_expr(x.indexprs, x.indrelid), ''),
                   coalesce(pg_get_expr(x.indpred, x.indrelid), '')
         HAVING count(*) > 1
          ORDER BY 1, 2"
    ))
    .fetch_all(pool)
    .await
    .context("could not look for duplicate indexes")?
    .into_iter()
    .map(|(table, definition, indexes)| DuplicateIndexes {
        table,
        definition,
        indexes,
    })
    .collect();

    // Bloat, estimated the usual way: the pages a table (or B-tree) has, against the pages its
    // live rows would fill at their average width (pg_stats) with the per-row overheads
    // (tuple header 24 bytes and line pointer 4; index tuple 8 and line pointer 4, pages 90%
    // full, less the B-tree's meta page). Without statistics (never analyzed) there is none.
    let tables = sqlx::query_as::<_, (String, i64, i64, i64, Option<i64>)>(&format!(
        "SELECT format('%I.%I', n.nspname, c.relname),
                coalesce(s.n_live_tup, 0), coalesce(s.n_dead_tup, 0),
                pg_table_size(c.oid),
                (SELECT greatest(0, c.relpages::bigint * current_setting('block_size')::bigint
                         - ceil(c.reltuples * (28 + sum(st.avg_width)))::bigint)
                   FROM pg_stats st
                  WHERE st.schemaname = n.nspname AND st.tablename = c.relname
                 HAVING count(*) > 0 AND c.reltuples >= 0)
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
          WHERE c.relkind = 'r' AND {USER_SCHEMAS}
          ORDER BY pg_table_size(c.oid) DESC, 1"
    ))
    .fetch_all(pool)
    .await
    .context("could not estimate table bloat")?
    .into_iter()
    .map(
        |(table, live_rows, dead_rows, bytes, wasted_bytes)| TableBloat {
            table,
            live_rows,
            dead_rows,
            bytes,
            wasted_bytes,
        },
    )
    .collect();

    let index_bloat = sqlx::query_as::<_, (String, i64, Option<i64>)>(&format!(
        "SELECT format('%I.%I', n.nspname, i.relname), pg_relation_size(i.oid),
                (SELECT greatest(0, (i.relpages::bigint - 1) * current_setting('block_size')::bigint
                         - ceil(i.reltuples * (12 + sum(st.avg_width)) / 0.9)::bigint)
                   FROM pg_attribute a
                   JOIN pg_stats st ON st.schemaname = n.nspname AND st.tablename = t.relname
                                   AND st.attname = a.attname
                  WHERE a.attrelid = t.oid AND a.attnum = ANY (x.indkey::smallint[])
                 HAVING count(*) = x.indnkeyatts AND i.reltuples >= 0)
           FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
           JOIN pg_am am ON am.oid = i.relam
          WHERE am.amname = 'btree' AND {USER_SCHEMAS}
          ORDER BY pg_relation_size(i.oid) DESC, 1"
    ))
    .fetch_all(pool)
    .await
    .context("could not estimate index bloat")?
    .into_iter()
    .map(|(index, bytes, wasted_bytes)| IndexBloat {
        index,
        bytes,
        wasted_bytes,
    })
    .collect();

    let maintenance = sqlx::query_as::<_, MaintenanceRow>(
        "SELECT format('%I.%I', schemaname, relname),
                to_char(last_autovacuum, 'YYYY-MM-DD HH24:MI'), to_char(last_vacuum, 'YYYY-MM-DD HH24:MI'),
                autovacuum_count,
                to_char(last_autoanalyze, 'YYYY-MM-DD HH24:MI'), to_char(last_analyze, 'YYYY-MM-DD HH24:MI'),
                autoanalyze_count, n_mod_since_analyze
           FROM pg_stat_user_tables ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .context("could not read vacuum and analyze times")?
    .into_iter()
    .map(|row| Maintenance {
        table: row.0,
        last_autovacuum: row.1,
        last_vacuum: row.2,
        autovacuum_count: row.3,
        last_autoanalyze: row.4,
        last_analyze: row.5,
        autoanalyze_count: row.6,
        changed_since_analyze: row.7,
    })
    .collect();

    Ok(DbReport {
        database,
        stats_since,
        indexes,
        duplicates,
        tables,
        index_bloat,
        statements: statements(pool).await?,
        maintenance,
    })
}

type MaintenanceRow = (
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

/// How to turn pg_stat_statements on, for the report's own words.
const ENABLE_STATEMENTS: &str = "add `shared_preload_libraries = 'pg_stat_statements'` to \
     postgresql.conf, restart PostgreSQL, then run `CREATE EXTENSION pg_stat_statements;` in this \
     database (as a superuser). The statistics gather from then on";

async fn statements(pool: &PgPool) -> anyhow::Result<Statements> {
    let schema: Option<String> = sqlx::query_scalar(
        "SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'pg_stat_statements'",
    )
    .fetch_optional(pool)
    .await?;
    let Some(schema) = schema else {
        return Ok(Statements::Unavailable(format!(
            "pg_stat_statements is not installed in this database. To see the slowest \
             statements, {ENABLE_STATEMENTS}."
        )));
    };
    let rows = sqlx::query_as::<_, (i64, f64, f64, i64, String)>(&format!(
        "SELECT calls, mean_exec_time, total_exec_time, rows,
                regexp_replace(query, '\\s+', ' ', 'g')
           FROM {}.pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          ORDER BY mean_exec_time DESC
          LIMIT 10",
        crate::database::quote_identifier(&schema)
    ))
    .fetch_all(pool)
    .await;
    match rows {
        Ok(rows) => Ok(Statements::Found(
            rows.into_iter()
                .map(|(calls, mean_ms, total_ms, rows, query)| Statement {
                    calls,
                    mean_ms,
                    total_ms,
                    rows,
                    query,
                })
                .collect(),
        )),
        // Installed, but the server was not started with the library loaded.
        Err(sqlx::Error::Database(err)) if err.message().contains("shared_preload_libraries") => {
            Ok(Statements::Unavailable(format!(
                "pg_stat_statements is installed but not loaded by the server. To see the \
                 slowest statements, {ENABLE_STATEMENTS}."
            )))
        }
        Err(err) => Err(err).context("could not read pg_stat_statements"),
    }
}

impl std::fmt::Display for DbReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |value: i64| app::domain::group_thousands(&value.to_string());
        let size = |bytes: i64| human_bytes(bytes.max(0) as u64);
        let when = |at: &Option<String>| at.clone().unwrap_or_else(|| "never".to_owned());
        writeln!(
            f,
            "Database report for {} (statistics since {})",
            self.database,
            self.stats_since.as_deref().unwrap_or("the server started")
        )?;

        section(f, "Index usage (scans per index)")?;
        let rows: Vec<Vec<String>> = self
            .indexes
            .iter()
            .map(|index| {
                vec![
                    index.table.clone(),
                    index.index.clone(),
                    n(index.scans),
                    n(index.tuples_read),
                    size(index.bytes),
                    if index.enforces { "unique" } else { "" }.to_owned(),
                ]
            })
            .collect();
        f.write_str(&text_table(
            &["table", "index", ">scans", ">rows read", ">size", "kind"],
            &rows,
        ))?;

        section(f, "Unused indexes (never scanned, enforcing nothing)")?;
        let unused: Vec<Vec<String>> = self
            .unused()
            .map(|index| vec![index.table.clone(), index.index.clone(), size(index.bytes)])
            .collect();
        if unused.is_empty() {
            writeln!(f, "None: every index that enforces nothing has been used.")?;
        } else {
            f.write_str(&text_table(&["table", "index", ">size"], &unused))?;
            writeln!(
                f,
                "Each costs every write to its table. Judge over a period of normal traffic \
                 (statistics since {}) before dropping one.",
                self.stats_since.as_deref().unwrap_or("the server started")
            )?;
        }

        section(
            f,
            "Duplicate indexes (same table, method, key columns and predicate)",
        )?;
        if self.duplicates.is_empty() {
            writeln!(f, "None.")?;
        } else {
            let rows: Vec<Vec<String>> = self
                .duplicates
                .iter()
                .map(|dup| {
                    vec![
                        dup.table.clone(),
                        dup.indexes.join(", "),
                        dup.definition.clone(),
                    ]
                })
                .collect();
            f.write_str(&text_table(&["table", "indexes", "definition"], &rows))?;
            writeln!(
                f,
                "Keep one of each group (the one a constraint uses, if any) and drop the others."
            )?;
        }

        section(
            f,
            "Table bloat (dead rows, and space beyond what live rows need)",
        )?;
        let rows: Vec<Vec<String>> = self
            .tables
            .iter()
            .map(|table| {
                let all = table.live_rows + table.dead_rows;
                let dead = if all > 0 {
                    format!("{:.1}%", table.dead_rows as f64 * 100.0 / all as f64)
                } else {
                    "-".to_owned()
                };
                vec![
                    table.table.clone(),
                    n(table.live_rows),
                    n(table.dead_rows),
                    dead,
                    size(table.bytes),
                    estimate(table.wasted_bytes, table.bytes),
                ]
            })
            .collect();
        f.write_str(&text_table(
            &[
                "table",
                ">live rows",
                ">dead rows",
                ">dead",
                ">size",
                ">est. bloat",
            ],
            &rows,
        ))?;

        section(f, "Index bloat (B-tree, estimated)")?;
        let rows: Vec<Vec<String>> = self
            .index_bloat
            .iter()
            .map(|index| {
                vec![
                    index.index.clone(),
                    size(index.bytes),
                    estimate(index.wasted_bytes, index.bytes),
                ]
            })
            .collect();
        f.write_str(&text_table(&["index", ">size", ">est. bloat"], &rows))?;
        writeln!(
            f,
            "Estimated from average row widths; \"small\": under 64 KiB, too small to judge; \
             \"?\": no statistics yet (ANALYZE). VACUUM makes dead rows' space reusable; \
             REINDEX CONCURRENTLY shrinks a bloated index."
        )?;

        section(f, "Slowest statements (pg_stat_statements, by mean time)")?;
        match &self.statements {
            Statements::Found(statements) if statements.is_empty() => {
                writeln!(f, "No statements recorded yet.")?
            }
            Statements::Found(statements) => {
                let rows: Vec<Vec<String>> = statements
                    .iter()
                    .map(|s| {
                        vec![
                            format!("{:.2}", s.mean_ms),
                            n(s.calls),
                            format!("{:.0}", s.total_ms),
                            n(s.rows),
                            shorten(&s.query, 90),
                        ]
                    })
                    .collect();
                f.write_str(&text_table(
                    &[">mean ms", ">calls", ">total ms", ">rows", "statement"],
                    &rows,
                ))?;
            }
            Statements::Unavailable(why) => writeln!(f, "{why}")?,
        }

        section(f, "Vacuum and analyze (last runs per table)")?;
        let rows: Vec<Vec<String>> = self
            .maintenance
            .iter()
            .map(|m| {
                vec![
                    m.table.clone(),
                    when(&m.last_autovacuum),
                    when(&m.last_vacuum),
                    n(m.autovacuum_count),
                    when(&m.last_autoanalyze),
                    when(&m.last_analyze),
                    n(m.autoanalyze_count),
                    n(m.changed_since_analyze),
                ]
            })
            .collect();
        f.write_str(&text_table(
            &[
                "table",
                "last autovacuum",
                "last vacuum",
                ">autovacuums",
                "last autoanalyze",
                "last analyze",
                ">autoanalyzes",
                ">changed since",
            ],
            &rows,
        ))
    }
}

fn section(f: &mut std::fmt::Formatter<'_>, title: &str) -> std::fmt::Result {
    writeln!(f, "\n== {title}")
}

/// Below this size the estimate is mostly page overhead (a B-tree's meta and root pages, a
/// table's last half-empty page), so the report does not guess.
const TOO_SMALL_TO_ESTIMATE: i64 = 64 * 1024;

/// "12.0 KiB (40%)", "small", or "?" without statistics.
fn estimate(wasted: Option<i64>, bytes: i64) -> String {
    match wasted {
        Some(_) if bytes < TOO_SMALL_TO_ESTIMATE => "small".to_owned(),
        Some(wasted) => format!(
            "{} ({:.0}%)",
            human_bytes(wasted.max(0) as u64),
            wasted.max(0) as f64 * 100.0 / bytes as f64
        ),
        None => "?".to_owned(),
    }
}

/// The first `max` characters of `text`, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Rows under headers, columns padded to their widest cell; a header starting with `>` is
/// right-aligned (numbers).
pub fn text_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let right: Vec<bool> = headers.iter().map(|h| h.starts_with('>')).collect();
    let headers: Vec<&str> = headers.iter().map(|h| h.trim_start_matches('>')).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (column, cell) in cells.enumerate() {
            let width = widths[column];
            let pad = width.saturating_sub(cell.chars().count());
            if column > 0 {
                text.push_str("  ");
            }
            if right[column] {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(&mut headers.iter().copied());
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut rule.iter().map(String::as_str));
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    if rows.is_empty() {
        out.push_str("(none)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_line_up_and_numbers_align_right() {
        let table = text_table(
            &["name", ">count"],
            &[
                vec!["users".into(), "1,200".into()],
                vec!["doctors".into(), "7".into()],
            ],
        );
        assert_eq!(
            table,
            "name     count\n-------  -----\nusers    1,200\ndoctors      7\n"
        );
        assert_eq!(text_table(&["a"], &[]), "a\n-\n(none)\n");
    }

    #[test]
    fn long_statements_are_shortened() {
        assert_eq!(shorten("SELECT 1", 20), "SELECT 1");
        assert_eq!(shorten("SELECT abcdef", 8), "SELECT …");
    }
}
