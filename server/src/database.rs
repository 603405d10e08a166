//! The connection pool and the schema: connect (to `DATABASE_URL`, or to the private cluster),
//! create the database when it is missing, and run the migrations.

use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use crate::config::Config;
use crate::local_postgres::LocalPostgres;

/// The migrations in `migrations/`, embedded into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The database the app uses inside the private cluster.
pub const LOCAL_DATABASE: &str = "clinic";

/// The app's database: the pool, and the private cluster when we run one.
pub struct Database {
    pub pool: PgPool,
    /// The connection URL (with its password: never print it unredacted).
    pub url: String,
    local: Option<LocalPostgres>,
}

impl Database {
    /// Connects as configured and brings the schema up to date.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let db = Self::connect(config).await?;
        migrate(&db.pool).await?;
        Ok(db)
    }

    /// Connects as configured and leaves the schema as it is: for the tools that copy a
    /// database (backup, restore) or only look at it (db-report).
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        let (url, local) = match &config.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let local = start_local(config).await?;
                ensure_database(&local.url("postgres"), LOCAL_DATABASE).await?;
                (local.url(LOCAL_DATABASE), Some(local))
            }
        };
        let pool = connect(&url, config.db_max_connections).await?;
        Ok(Self { pool, url, local })
    }

    /// Closes the pool, then stops the private cluster if this process started it.
    pub async fn close(self) {
        self.pool.close().await;
        if let Some(local) = self.local {
            let stopped = tokio::task::spawn_blocking(move || local.stop_if_started_here()).await;
            match stopped {
                Ok(Ok(())) => {}
                Ok(Err(err)) => tracing::error!(%err, "could not stop the private PostgreSQL"),
                Err(err) => tracing::error!(%err, "could not stop the private PostgreSQL"),
            }
        }
    }
}

/// Starts (or joins) the private cluster under the configured data folder.
pub async fn start_local(config: &Config) -> anyhow::Result<LocalPostgres> {
    let folder = config.data_dir.join("postgres");
    tokio::task::spawn_blocking(move || LocalPostgres::start(&folder))
        .await?
        .context("could not start the private PostgreSQL (set DATABASE_URL to use another server)")
}

pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = url.parse().context(
        "DATABASE_URL is not a valid PostgreSQL URL (postgres://user:password@host:port/database)",
    )?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(
            options.log_slow_statements(log::LevelFilter::Warn, Duration::from_millis(500)),
        )
        .await
        .with_context(|| {
            format!(
                "could not connect to PostgreSQL at {} (is it running there, and are the address \
                 and credentials in DATABASE_URL right?)",
                redact(url)
            )
        })
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("could not bring the database schema up to date")
}

/// One connection, for administrative statements such as CREATE DATABASE.
async fn connect_once(url: &str) -> anyhow::Result<PgConnection> {
    PgConnection::connect(url)
        .await
        .with_context(|| format!("could not connect to PostgreSQL at {}", redact(url)))
}

/// Creates `name` through the maintenance database at `maintenance_url` unless it exists.
pub async fn ensure_database(maintenance_url: &str, name: &str) -> anyhow::Result<()> {
    let mut conn = connect_once(maintenance_url).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let created = sqlx::query(&format!("CREATE DATABASE {}", quote_identifier(name)))
            .execute(&mut conn)
            .await;
        match created {
            Ok(_) => tracing::info!(database = name, "created the database"),
            // Another process created it between our check and our CREATE: fine.
            Err(sqlx::Error::Database(err)) if err.code().as_deref() == Some("42P04") => {}
            Err(err) => {
                return Err(err).with_context(|| format!("could not create database {name}"));
            }
        }
    }
    conn.close().await?;
    Ok(())
}

/// Drops `name` (ending its connections) and creates it empty.
pub async fn recreate_database(maintenance_url: &str, name: &str) -> anyhow::Result<()> {
    let mut conn = connect_once(maintenance_url).await?;
    let name = quote_identifier(name);
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

/// `name` as a double-quoted SQL identifier.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url.parse::<url::Url>() {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "<unparseable URL>".to_owned(),
    }
}
