//! `server restore FILE`: a backup made by `server backup` loaded into the configured database,
//! as one transaction, with a bar over the archive's entries.
//!
//! A database that already holds tables is refused: restoring over them would mix two
//! databases. With `--replace` the operator asks for its schemas to be dropped and the backup to
//! take their place; the drop and the restore run in one transaction (pg_restore writes the SQL,
//! psql runs it, and the COMMIT follows only a complete archive), so a restore that fails leaves
//! the database as it was.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::PgPool;

use super::pg_programs::{self, Programs, last_lines};
use super::progress::Progress;
use crate::database::{MIGRATOR, quote_identifier};

/// What is in the target database before the restore.
#[derive(Debug, Default)]
struct Contents {
    /// Schemas besides PostgreSQL's own, with the number of tables in each.
    schemas: Vec<(String, i64)>,
    /// Clinic's migration history: the newest migration applied, when there is one.
    newest_migration: Option<i64>,
}

impl Contents {
    fn tables(&self) -> i64 {
        self.schemas.iter().map(|(_, tables)| tables).sum()
    }

    /// Empty enough to restore into without replacing: no tables, and no schema but `public`
    /// (the backup creates its other schemas and would stop at one that exists).
    fn is_empty(&self) -> bool {
        self.tables() == 0 && self.schemas.iter().all(|(name, _)| name == "public")
    }

    fn describe(&self) -> String {
        let schemas: Vec<String> = self
            .schemas
            .iter()
            .map(|(name, tables)| match tables {
                1 => format!("{name} (1 table)"),
                n => format!("{name} ({n} tables)"),
            })
            .collect();
        let clinic = match self.newest_migration {
            Some(version) => format!("; it is a Clinic database, at migration {version}"),
            None => String::new(),
        };
        format!("schemas {}{clinic}", schemas.join(", "))
    }
}

/// What a restore did.
#[derive(Debug)]
pub struct RestoreReport {
    pub file: PathBuf,
    /// What `--replace` dropped, when it did.
    pub replaced: Option<String>,
    pub entries: u64,
    pub dumped_from: String,
    /// The backup's newest migration, and this server's.
    pub backup_migration: Option<i64>,
    pub server_migration: Option<i64>,
    pub elapsed: Duration,
}

impl std::fmt::Display for RestoreReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(replaced) = &self.replaced {
            writeln!(
                f,
                "Dropped what the database held ({replaced}) and put the backup in its place, in one transaction."
            )?;
        }
        writeln!(
            f,
            "Restored {} ({} entries, dumped from PostgreSQL {}) in {:.1} s, and refreshed the planner's statistics.",
            self.file.display(),
            self.entries,
            self.dumped_from,
            self.elapsed.as_secs_f64()
        )?;
        match (self.backup_migration, self.server_migration) {
            (Some(backup), Some(server)) if backup == server => {
                write!(
                    f,
                    "Its schema is current for this server (migration {backup})."
                )
            }
            (Some(backup), Some(server)) if backup < server => write!(
                f,
                "Its schema is at migration {backup}, older than this server's {server}: run \
                 `server migrate` (or start the server, which migrates) to bring it up to date."
            ),
            (Some(backup), Some(server)) => write!(
                f,
                "Its schema is at migration {backup}, NEWER than this server's {server}: run it \
                 with the Clinic version that made the backup."
            ),
            _ => write!(
                f,
                "It holds no Clinic migration history: it may not be a Clinic database."
            ),
        }
    }
}

/// The archive's table of contents, as `pg_restore --list` gives it.
struct Archive {
    entries: u64,
    dumped_by_major: u32,
    dumped_from: String,
}

/// Restores `file` into the database at `url` (behind `pool`). A database holding tables is
/// refused unless `replace`.
pub async fn restore(
    pool: &PgPool,
    url: &str,
    file: &Path,
    replace: bool,
) -> anyhow::Result<RestoreReport> {
    let started = Instant::now();
    check_is_archive(file)?;
    let server_major = pg_programs::server_major(pool).await?;
    let mut programs = Programs::for_server("pg_restore", server_major, server_major)?;
    let mut archive = read_archive(&programs, file)?;
    if archive.dumped_by_major > programs.major {
        programs = Programs::for_server("pg_restore", server_major, archive.dumped_by_major)?;
        archive = read_archive(&programs, file)?;
    }

    let contents = contents(pool).await?;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await?;
    if !contents.is_empty() && !replace {
        bail!(
            "the database {database} is not empty: it holds {} tables in {}. Restoring over them \
             would mix two databases, so nothing was changed. To drop everything in it and put \
             the backup in its place, stop every Clinic instance using it and run `server \
             restore {} --replace`; or restore into an empty database (set DATABASE_URL to one)",
            contents.tables(),
            contents.describe(),
            file.display()
        );
    }

    let mut before = vec![
        // An instance still serving holds locks the drop would wait for without end.
        "SET lock_timeout = '10s'".to_owned(),
        "SET client_min_messages = warning".to_owned(),
    ];
    if replace {
        for (schema, _) in &contents.schemas {
            before.push(format!("DROP SCHEMA {} CASCADE", quote_identifier(schema)));
        }
    }
    // The backup does not create `public`: every database starts with it.
    before.push("CREATE SCHEMA IF NOT EXISTS public".to_owned());
    // The restore runs to completion, then the lock timeout no longer applies.
    before.push("SET lock_timeout = 0".to_owned());

    let pg_restore = {
        let mut command = Command::new(programs.path("pg_restore"));
        command
            .args(["--verbose", "--no-owner", "--no-privileges", "--file=-"])
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };
    let psql = {
        let mut command = programs.command("psql", url)?;
        command
            .args([
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--set=ON_ERROR_STOP=1",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    };
    let mut prelude = String::from("BEGIN;\n");
    for statement in &before {
        prelude.push_str(statement);
        prelude.push_str(";\n");
    }
    let entries = archive.entries;
    tokio::task::spawn_blocking(move || run_restore(pg_restore, psql, prelude, entries))
        .await?
        .map_err(|err| err.context(format!("nothing in {database} was changed")))?;

    // pg_restore brings rows, not the planner's statistics; without them the first queries
    // would be planned blind.
    sqlx::raw_sql("ANALYZE")
        .execute(pool)
        .await
        .context("restored, but could not ANALYZE the database: run ANALYZE by hand")?;
    let backup_migration = newest_migration(pool).await?;
    Ok(RestoreReport {
        file: file.to_owned(),
        replaced: (replace && !contents.schemas.is_empty()).then(|| contents.describe()),
        entries: archive.entries,
        dumped_from: archive.dumped_from,
        backup_migration,
        server_migration: MIGRATOR.iter().map(|m| m.version).max(),
        elapsed: started.elapsed(),
    })
}

/// pg_restore's SQL relayed into psql after `prelude` (which opens the transaction); the bar
/// advances on each entry pg_restore writes. The COMMIT is sent only once pg_restore has
/// finished well: a backup that breaks off halfway ends psql's input without it, and PostgreSQL
/// rolls the whole transaction back.
fn run_restore(
    mut pg_restore: Command,
    mut psql: Command,
    prelude: String,
    entries: u64,
) -> anyhow::Result<()> {
    let mut runner = psql.spawn().context("could not start psql")?;
    let mut writer = match pg_restore.spawn() {
        Ok(writer) => writer,
        Err(err) => {
            let _ = runner.kill();
            let _ = runner.wait();
            return Err(err).context("could not start pg_restore");
        }
    };
    let mut sql = writer
        .stdout
        .take()
        .context("pg_restore gave no output to read")?;
    let mut input = runner.stdin.take().context("psql took no input")?;
    // The relay keeps psql's input open when done: closing it is the caller's decision.
    let relay = std::thread::spawn(move || {
        let copied = input
            .write_all(prelude.as_bytes())
            .and_then(|()| std::io::copy(&mut sql, &mut input));
        // Dropping `sql` here ends pg_restore with a broken pipe if psql stopped reading.
        (copied, input)
    });
    let psql_errors = runner.stderr.take().map(|stderr| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut text);
            text
        })
    });

    let mut progress = Progress::bar(entries, "entries");
    progress.set_message("starting");
    let mut said = Vec::new();
    if let Some(stderr) = writer.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let line = line.context("could not read pg_restore's output")?;
            match line.strip_prefix("pg_restore: ") {
                Some(rest)
                    if rest.starts_with("creating ")
                        || rest.starts_with("executing ")
                        || rest.starts_with("processing ") =>
                {
                    progress.inc(1);
                    progress.set_message(rest.to_owned());
                }
                _ => said.push(line),
            }
        }
    }
    let wrote = writer.wait().context("pg_restore did not finish")?;
    let (copied, mut input) = relay
        .join()
        .map_err(|_| anyhow::anyhow!("the relay from pg_restore to psql panicked"))?;
    let complete = wrote.success() && copied.is_ok();
    if complete {
        // psql stops at the first error (ON_ERROR_STOP); then this write fails and no COMMIT
        // reaches the server either.
        let _ = input.write_all(b"COMMIT;\n");
    }
    drop(input);
    let ran = runner.wait().context("psql did not finish")?;
    progress.finish();
    let psql_said = psql_errors
        .and_then(|thread| thread.join().ok())
        .unwrap_or_default();
    if !ran.success() {
        let lines: Vec<String> = psql_said.lines().map(str::to_owned).collect();
        let detail = last_lines(&lines, 6);
        if detail.contains("lock timeout") {
            bail!(
                "the database is in use (its tables stayed locked for 10 s): stop every Clinic \
                 instance and anything else connected to it, then restore again.\n{detail}"
            );
        }
        bail!("the restore failed and was rolled back ({ran}):\n{detail}");
    }
    if !complete {
        bail!(
            "pg_restore could not read the whole backup ({wrote}); the restore was rolled back:\n{}",
            last_lines(&said, 6)
        );
    }
    Ok(())
}

/// A clear word when the file is missing, unreadable or not a custom-format dump.
fn check_is_archive(file: &Path) -> anyhow::Result<()> {
    let mut magic = [0u8; 5];
    let mut opened = std::fs::File::open(file)
        .with_context(|| format!("could not read the backup {}", file.display()))?;
    let read = opened
        .read(&mut magic)
        .with_context(|| format!("could not read the backup {}", file.display()))?;
    // Every custom-format archive starts with these bytes.
    if read < magic.len() || &magic != b"PGDMP" {
        bail!(
            "{} is not a backup in pg_dump's custom format (the kind `server backup` writes); \
             a plain SQL dump is restored with psql instead",
            file.display()
        );
    }
    Ok(())
}

fn read_archive(programs: &Programs, file: &Path) -> anyhow::Result<Archive> {
    let output = Command::new(programs.path("pg_restore"))
        .arg("--list")
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .context("could not start pg_restore")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let hint = if said.contains("unsupported version") {
            " (the backup was made by a newer pg_dump: install that version's client programs)"
        } else {
            ""
        };
        bail!(
            "{} could not read {}{hint}:\n{}",
            programs.path("pg_restore").display(),
            file.display(),
            said.trim()
        );
    }
    parse_list(&text)
}

/// The entry count and versions from `pg_restore --list`'s output.
fn parse_list(text: &str) -> anyhow::Result<Archive> {
    let header = |key: &str| {
        text.lines()
            .find_map(|line| line.trim_start_matches(';').trim().strip_prefix(key))
            .map(|value| value.trim().to_owned())
    };
    let dumped_by = header("Dumped by pg_dump version:")
        .context("the backup's table of contents does not say which pg_dump made it")?;
    let dumped_by_major = dumped_by
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|major| major.parse().ok())
        .with_context(|| format!("unreadable pg_dump version {dumped_by:?} in the backup"))?;
    let dumped_from = header("Dumped from database version:").unwrap_or_else(|| "?".to_owned());
    let entries = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with(';'))
        .count() as u64;
    Ok(Archive {
        entries,
        dumped_by_major,
        dumped_from,
    })
}

async fn contents(pool: &PgPool) -> anyhow::Result<Contents> {
    let schemas: Vec<(String, i64)> = sqlx::query_as(
        "SELECT n.nspname::text,
                (SELECT count(*) FROM pg_class c
                  WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p'))
           FROM pg_namespace n
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
          ORDER BY n.nspname",
    )
    .fetch_all(pool)
    .await
    .context("could not look at what the database holds")?;
    Ok(Contents {
        schemas,
        newest_migration: newest_migration(pool).await?,
    })
}

/// The newest migration in Clinic's history table, if the database has one.
async fn newest_migration(pool: &PgPool) -> anyhow::Result<Option<i64>> {
    let has_history: bool =
        sqlx::query_scalar("SELECT to_regclass('public._sqlx_migrations') IS NOT NULL")
            .fetch_one(pool)
            .await?;
    if !has_history {
        return Ok(None);
    }
    Ok(
        sqlx::query_scalar("SELECT max(version) FROM public._sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_of_contents_gives_entries_and_versions() {
        let list = ";\n; Archive created at 2026-12-03 15:12:12 UTC\n;     TOC Entries: 206\n\
                    ;     Dumped from database version: 15.18 (Debian 15.18-0+deb12u1)\n\
                    ;     Dumped by pg_dump version: 16.2\n;\n; Selected TOC Entries:\n;\n\
                    3; 3079 16385 EXTENSION - btree_gist \n\
                    218; 1259 16455 TABLE public appointments clinic\n\
                    3511; 0 16455 TABLE DATA public appointments clinic\n";
        let archive = parse_list(list).expect("parse");
        assert_eq!(archive.entries, 3);
        assert_eq!(archive.dumped_by_major, 16);
        assert_eq!(archive.dumped_from, "15.18 (Debian 15.18-0+deb12u1)");
        assert!(parse_list("; nothing\n").is_err());
    }
}
