//! Test databases: each test gets its own, cloned from a template that holds the migrated schema,
//! and the questions tests ask of it (how many rows, do the invariants hold, which code was sent).
//!
//! The server is `DATABASE_URL` when set (it needs the CREATEDB privilege), otherwise the
//! project's private cluster, started on demand exactly as the app starts it.

use std::ops::Deref;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::OnceCell;

use server::database::{MIGRATOR, quote_identifier};
use server::tools::invariants;

/// Where test databases are created, and the template they are cloned from.
struct Server {
    maintenance: PgConnectOptions,
    /// The URL `maintenance` was read from (a test's own database is this with its name).
    url: String,
    template: String,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            let url = match std::env::var("DATABASE_URL") {
                Ok(url) => url,
                Err(_) => {
                    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.local/postgres");
                    let local = tokio::task::spawn_blocking(move || {
                        server::local_postgres::LocalPostgres::start(&folder)
                    })
                    .await
                    .expect("the cluster launcher panicked")
                    .expect("could not start the private PostgreSQL for the tests (or set DATABASE_URL)");
                    // The cluster stays up for the other tests; scripts/test.sh stops it.
                    local.url("postgres")
                }
            };
            let maintenance = PgConnectOptions::from_str(&url).expect("DATABASE_URL is not a PostgreSQL URL");
            let template = prepare_template(&maintenance).await;
            Server { maintenance, url, template }
        })
        .await
}

/// Creates the template for the current migrations once; concurrent test processes wait for it.
async fn prepare_template(maintenance: &PgConnectOptions) -> String {
    let fingerprint = MIGRATOR
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, migration| {
            migration.checksum.iter().fold(hash, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            })
        });
    let template = format!("clinic_test_template_{fingerprint:016x}");
    let mut conn = PgConnection::connect_with(maintenance)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query("SELECT pg_advisory_lock(hashtext('clinic-test-template'))")
        .execute(&mut conn)
        .await
        .expect("lock");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&template)
            .fetch_one(&mut conn)
            .await
            .expect("look up the template");
    if !exists {
        // Build under a temporary name and rename when complete, so an interrupted run never
        // leaves a half-migrated template behind.
        let building = format!("{template}_building");
        for statement in [
            format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_identifier(&building)
            ),
            format!("CREATE DATABASE {}", quote_identifier(&building)),
        ] {
            sqlx::query(&statement)
                .execute(&mut conn)
                .await
                .expect("create the template");
        }
        let mut tpl = PgConnection::connect_with(&maintenance.clone().database(&building))
            .await
            .expect("connect to the template");
        MIGRATOR.run(&mut tpl).await.expect("migrate the template");
        tpl.close().await.expect("close the template");
        sqlx::query(&format!(
            "ALTER DATABASE {} RENAME TO {}",
            quote_identifier(&building),
            quote_identifier(&template)
        ))
        .execute(&mut conn)
        .await
        .expect("publish the template");
    }
    sqlx::query("SELECT pg_advisory_unlock(hashtext('clinic-test-template'))")
        .execute(&mut conn)
        .await
        .expect("unlock");
    template
}

/// A fresh, migrated database for one test, dropped when the test ends.
pub struct TestDb {
    pub pool: PgPool,
    name: String,
    server_url: String,
    maintenance: PgConnectOptions,
}

impl TestDb {
    pub async fn new() -> Self {
        let server = server().await;
        let name = format!(
            "clinic_test_{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect_with(&server.maintenance)
            .await
            .expect("connect to PostgreSQL");
        let create = format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote_identifier(&name),
            quote_identifier(&server.template)
        );
        // Cloning fails while another session is briefly connected to the template (another
        // test process checking it); that passes in a moment.
        let mut attempt = 0;
        loop {
            match sqlx::query(&create).execute(&mut conn).await {
                Ok(_) => break,
                Err(sqlx::Error::Database(err))
                    if err.code().as_deref() == Some("55006") && attempt < 50 =>
                {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("could not create test database {name}: {err}"),
            }
        }
        conn.close().await.expect("close");
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(server.maintenance.clone().database(&name))
            .await
            .expect("connect to the test database");
        Self {
            pool,
            name,
            server_url: server.url.clone(),
            maintenance: server.maintenance.clone(),
        }
    }

    /// This database's connection URL (with the server's password, if it has one).
    pub fn url(&self) -> String {
        let mut url: url::Url = self.server_url.parse().expect("the server URL parses");
        url.set_path(&self.name);
        url.to_string()
    }
}

/// A test database is used through its pool, so it can be passed wherever a pool is asked for
/// (`count(&db, ...)`) while it still owns the database it drops.
impl Deref for TestDb {
    type Target = PgPool;

    fn deref(&self) -> &PgPool {
        &self.pool
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let maintenance = self.maintenance.clone();
        // Drop cannot be async, and the test's runtime is shutting down: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let mut conn = PgConnection::connect_with(&maintenance).await?;
                sqlx::query(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    quote_identifier(&name)
                ))
                .execute(&mut conn)
                .await?;
                conn.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("note: could not drop test database {}", self.name);
        }
    }
}

/// The single number `sql` selects (a `count(*)`, usually).
pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|err| panic!("{err}: {sql}"))
}

/// Fails the test with every invariant the database breaks (see `server::tools::invariants`).
pub async fn assert_invariants(db: &TestDb) {
    let violations = invariants::violations(&db.pool).await.expect("check");
    assert!(
        violations.is_empty(),
        "invariants broken:\n{}",
        violations.join("\n")
    );
}

/// The code in the newest email to `to`.
pub async fn last_code(db: &TestDb, to: &str) -> String {
    let text: String = sqlx::query_scalar(
        "SELECT text_body FROM email_outbox WHERE to_address = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(&db.pool)
    .await
    .expect("an email was queued");
    text.split_whitespace()
        .find(|word| word.len() == 6 && word.chars().all(|c| c.is_ascii_digit()))
        .expect("a 6-digit code in the email")
        .to_owned()
}
