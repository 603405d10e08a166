//! PostgreSQL's client programs (pg_dump, pg_restore, psql) for the backup tools: found on PATH
//! or in Debian's versioned folders, chosen to match the server's major version, and run with
//! the connection's password in the environment rather than on the command line.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sqlx::PgPool;

use crate::database::redact;

/// A PostgreSQL server's major version (15, 16, ...).
pub type Major = u32;

/// The major version of the server behind `pool`.
pub async fn server_major(pool: &PgPool) -> anyhow::Result<Major> {
    let number: String = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(pool)
        .await
        .context("could not ask PostgreSQL for its version")?;
    let number: u32 = number
        .trim()
        .parse()
        .with_context(|| format!("PostgreSQL gave an unreadable version number {number:?}"))?;
    Ok(number / 10_000)
}

/// A folder holding the client programs, and their major version.
#[derive(Debug, Clone)]
pub struct Programs {
    pub bin: PathBuf,
    pub major: Major,
}

impl Programs {
    /// The programs to use with a server of major version `server`, which must also be at least
    /// `at_least` (an archive made by a newer pg_dump needs a pg_restore as new). The same major
    /// version is preferred; else the oldest newer one, since pg_dump reads older servers but
    /// refuses newer ones.
    pub fn for_server(program: &str, server: Major, at_least: Major) -> anyhow::Result<Self> {
        let found = candidates(program);
        if found.is_empty() {
            bail!(
                "{program} was not found on PATH or in /usr/lib/postgresql/*/bin. Install \
                 PostgreSQL's client programs for version {server} (Debian/Ubuntu: `apt-get \
                 install postgresql-client-{server}`), or put their folder on PATH"
            );
        }
        let needed = server.max(at_least);
        let chosen = found
            .iter()
            .filter(|p| p.major >= needed)
            .min_by_key(|p| (p.major != server, p.major));
        match chosen {
            Some(programs) => Ok(programs.clone()),
            None => {
                let have: Vec<String> = found
                    .iter()
                    .map(|p| format!("{} ({})", p.major, p.bin.display()))
                    .collect();
                bail!(
                    "{program} {needed} or newer is needed (the server runs PostgreSQL {server}{}), \
                     but only version {} is installed. Install postgresql-client-{needed} and run \
                     this again",
                    if at_least > server {
                        format!(" and the backup was made by pg_dump {at_least}")
                    } else {
                        String::new()
                    },
                    have.join(", ")
                )
            }
        }
    }

    /// The path of one of the programs in this folder.
    pub fn path(&self, program: &str) -> PathBuf {
        self.bin.join(program)
    }

    /// A command for `program`, connected to the database at `url`: the password travels in
    /// PGPASSWORD (other users can read a command line), the rest of the URL in --dbname.
    pub fn command(&self, program: &str, url: &str) -> anyhow::Result<Command> {
        let (dbname, password) = split_password(url)?;
        let mut command = Command::new(self.path(program));
        command.arg(format!("--dbname={dbname}"));
        match password {
            Some(password) => command.env("PGPASSWORD", password),
            None => command.env_remove("PGPASSWORD"),
        };
        // A .psqlrc or a PGOPTIONS from the operator's shell must not change what we run.
        command.env_remove("PGOPTIONS");
        Ok(command)
    }
}

/// Every folder with `program`, with its version: PATH first, then /usr/lib/postgresql/*/bin.
fn candidates(program: &str) -> Vec<Programs> {
    let mut folders: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versioned: Vec<PathBuf> = entries
            .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
            .collect();
        versioned.sort();
        folders.extend(versioned);
    }
    let mut found: Vec<Programs> = Vec::new();
    for folder in folders {
        let path = folder.join(program);
        if !path.is_file() {
            continue;
        }
        // Debian's /usr/bin/pg_dump is a wrapper that picks a version by rules of its own; the
        // versioned folders it would pick from are listed too, so we choose among those.
        if std::fs::canonicalize(&path)
            .is_ok_and(|real| real.file_name().is_some_and(|name| name == "pg_wrapper"))
        {
            continue;
        }
        let Some(major) = program_major(&path) else {
            continue;
        };
        let bin = std::fs::canonicalize(&folder).unwrap_or(folder);
        if !found.iter().any(|p| p.bin == bin) {
            found.push(Programs { bin, major });
        }
    }
    found
}

/// The major version `program --version` reports ("pg_dump (PostgreSQL) 15.18 (Debian ...)").
fn program_major(path: &Path) -> Option<Major> {
    let output = Command::new(path).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    parse_major(&text)
}

fn parse_major(version_line: &str) -> Option<Major> {
    let version = version_line
        .split_whitespace()
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))?;
    version
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The URL without its password, and the password.
fn split_password(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut parsed: url::Url = url.parse().with_context(|| {
        format!(
            "{} is not a valid PostgreSQL URL (postgres://user:password@host:port/database)",
            redact(url)
        )
    })?;
    let password = parsed.password().map(percent_decode);
    if password.is_some() && parsed.set_password(None).is_err() {
        bail!("could not take the password out of {}", redact(url));
    }
    Ok((parsed.to_string(), password))
}

/// `%40` → `@`: URLs carry passwords percent-encoded, the programs want them plain.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a program said on standard error, for an error message: its last lines.
pub fn last_lines(stderr: &[String], count: usize) -> String {
    let start = stderr.len().saturating_sub(count);
    stderr[start..].join("\n")
}

/// An argument for a path, as the programs take it.
pub fn path_arg(flag: &str, path: &Path) -> OsString {
    let mut arg = OsString::from(flag);
    arg.push(path.as_os_str());
    arg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_versions_are_read_from_version_lines() {
        assert_eq!(
            parse_major("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"),
            Some(15)
        );
        assert_eq!(parse_major("pg_restore (PostgreSQL) 17beta2"), Some(17));
        assert_eq!(parse_major("psql (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(parse_major("nothing here"), None);
    }

    #[test]
    fn the_password_leaves_the_url() {
        let (url, password) =
            split_password("postgres://clinic:p%40ss@127.0.0.1:5432/clinic?sslmode=require")
                .expect("split");
        assert_eq!(
            url,
            "postgres://clinic@127.0.0.1:5432/clinic?sslmode=require"
        );
        assert_eq!(password.as_deref(), Some("p@ss"));
        let (_, password) = split_password("postgres://u:a+b%2Fc%@h/d").expect("split");
        assert_eq!(password.as_deref(), Some("a+b/c%"));
        let (url, password) = split_password("postgres://clinic@127.0.0.1/clinic").expect("split");
        assert_eq!(url, "postgres://clinic@127.0.0.1/clinic");
        assert_eq!(password, None);
    }
}
