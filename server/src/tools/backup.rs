//! `server backup FILE`: the whole database in pg_dump's custom format, with a bar over the
//! tables as pg_dump copies them. The file appears only when complete: pg_dump writes beside it
//! and the finished dump is renamed into place, so a failed backup never looks like a good one.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::PgPool;

use super::pg_programs::{self, Programs, last_lines, path_arg};
use super::progress::Progress;

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    pub tables: u64,
    pub server_major: u32,
    pub pg_dump: PathBuf,
    pub elapsed: Duration,
}

impl std::fmt::Display for BackupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Backed up {} tables to {} ({}) in {:.1} s with {} (server: PostgreSQL {}).\n\
             Restore it with `server restore {}`.",
            self.tables,
            self.file.display(),
            human_bytes(self.bytes),
            self.elapsed.as_secs_f64(),
            self.pg_dump.display(),
            self.server_major,
            self.file.display()
        )
    }
}

/// Dumps the database at `url` (the server behind `pool`) into `file`. An existing file is
/// replaced only when `overwrite` says so.
pub async fn backup(
    pool: &PgPool,
    url: &str,
    file: &Path,
    overwrite: bool,
) -> anyhow::Result<BackupReport> {
    let started = Instant::now();
    if file.exists() && !overwrite {
        bail!(
            "{} already exists. Choose another file name, or pass --overwrite to replace it once \
             the new backup is complete",
            file.display()
        );
    }
    let partial = partial_path(file)?;
    let server_major = pg_programs::server_major(pool).await?;
    let programs = Programs::for_server("pg_dump", server_major, server_major)?;
    let tables = count_tables(pool).await?;

    let pg_dump = programs.path("pg_dump");
    let mut command = programs.command("pg_dump", url)?;
    command
        .args(["--format=custom", "--verbose", "--no-password"])
        // A table locked by a long migration must not make the backup hang without a word.
        .arg("--lock-wait-timeout=60000")
        .arg(path_arg("--file=", &partial))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let target = partial.clone();
    let outcome = tokio::task::spawn_blocking(move || run_pg_dump(command, tables)).await?;
    if let Err(err) = outcome {
        let _ = std::fs::remove_file(&target);
        return Err(err);
    }
    // The dump must be on disk before its name says it is complete.
    std::fs::File::open(&partial)
        .and_then(|written| written.sync_all())
        .with_context(|| format!("could not flush {}", partial.display()))?;
    std::fs::rename(&partial, file).with_context(|| {
        format!(
            "could not move the finished backup {} to {}",
            partial.display(),
            file.display()
        )
    })?;
    let bytes = std::fs::metadata(file)
        .with_context(|| format!("could not read {}", file.display()))?
        .len();
    Ok(BackupReport {
        file: file.to_owned(),
        bytes,
        tables,
        server_major,
        pg_dump,
        elapsed: started.elapsed(),
    })
}

/// Runs pg_dump, advancing the bar on each table it starts copying.
fn run_pg_dump(mut command: std::process::Command, tables: u64) -> anyhow::Result<()> {
    let mut child = command.spawn().context("could not start pg_dump")?;
    let mut progress = Progress::bar(tables, "tables");
    progress.set_message("reading the schema");
    let mut said = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let line = line.context("could not read pg_dump's output")?;
            if let Some(table) = line.strip_prefix("pg_dump: dumping contents of table ") {
                progress.inc(1);
                progress.set_message(table.trim_matches('"').to_owned());
            } else {
                said.push(line);
            }
        }
    }
    let status = child.wait().context("pg_dump did not finish")?;
    progress.finish();
    if !status.success() {
        let errors: Vec<String> = said
            .iter()
            .filter(|line| {
                line.contains("error") || line.contains("FATAL") || line.contains("DETAIL")
            })
            .cloned()
            .collect();
        let detail = if errors.is_empty() {
            last_lines(&said, 5)
        } else {
            last_lines(&errors, 5)
        };
        bail!("pg_dump failed ({status}):\n{detail}");
    }
    Ok(())
}

/// Tables whose rows pg_dump copies: every ordinary table outside PostgreSQL's own schemas and
/// outside extensions.
async fn count_tables(pool: &PgPool) -> anyhow::Result<u64> {
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r'
            AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname NOT LIKE 'pg\\_toast%'
            AND NOT EXISTS (SELECT 1 FROM pg_depend d
                             WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                               AND d.deptype = 'e')",
    )
    .fetch_one(pool)
    .await
    .context("could not count the tables to back up")?;
    Ok(tables.max(0) as u64)
}

/// `FILE.partial` beside `file`, checked writable now rather than after the dump.
fn partial_path(file: &Path) -> anyhow::Result<PathBuf> {
    let name = file
        .file_name()
        .with_context(|| format!("{} is not a file name", file.display()))?;
    let mut partial_name = name.to_owned();
    partial_name.push(".partial");
    let partial = file.with_file_name(partial_name);
    std::fs::File::create(&partial).with_context(|| {
        format!(
            "cannot write beside {} (does its folder exist, and may we write there?)",
            file.display()
        )
    })?;
    Ok(partial)
}

/// 1536 → "1.5 KiB".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_bytes(0), "0 bytes");
        assert_eq!(human_bytes(1023), "1023 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
