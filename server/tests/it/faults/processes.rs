//! The processes: a scratch folder, the test's own PostgreSQL, and the `server serve`
//! instances, each started, killed (SIGKILL) and stopped (SIGTERM) as the schedule says.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use server::local_postgres::{self, LocalPostgres};
use server::tools::http_client::{Connection, Reply};

/// A folder for this test's cluster, instance data and logs, removed at the end.
pub(super) struct Scratch(PathBuf);

impl Scratch {
    pub(super) fn new() -> Self {
        let path = std::env::temp_dir().join(format!("clinic-faults-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the scratch folder");
        Self(path)
    }

    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // The cluster must be stopped before its folder goes (a failed test may not have).
        let _ = local_postgres::stop(&self.0.join("postgres"));
        if std::thread::panicking() {
            eprintln!("the instances' logs are kept in {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A PostgreSQL cluster of this test's own: the restart must not disturb the other tests.
pub(super) struct Database {
    pub(super) folder: PathBuf,
    pub(super) cluster: LocalPostgres,
}

impl Database {
    pub(super) async fn start(folder: &Path) -> Self {
        let folder = folder.to_owned();
        let cluster = {
            let folder = folder.clone();
            tokio::task::spawn_blocking(move || LocalPostgres::start(&folder))
                .await
                .expect("the cluster launcher panicked")
                .expect("start the fault test's PostgreSQL")
        };
        Self { folder, cluster }
    }

    pub(super) fn url(&self) -> String {
        self.cluster.url("postgres")
    }

    pub(super) async fn pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(4)
            .connect(&self.url())
            .await
            .expect("connect to the fault test's PostgreSQL")
    }

    pub(super) fn stop(self) {
        let _ = self.cluster.stop_if_started_here();
    }
}

/// One `server serve` process on its own port.
pub(super) struct Instance {
    pub(super) n: usize,
    pub(super) host: String,
    pub(super) env: Vec<(&'static str, String)>,
    pub(super) log: PathBuf,
    pub(super) child: Option<Child>,
}

impl Instance {
    pub(super) fn new(n: usize, scratch: &Scratch, database_url: &str, smtp_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let host = format!("127.0.0.1:{port}");
        let data = scratch.path(&format!("instance-{n}"));
        std::fs::create_dir_all(&data).expect("the instance's folder");
        let env = vec![
            ("DATABASE_URL", database_url.to_owned()),
            ("LEPTOS_SITE_ADDR", host.clone()),
            ("CLINIC_DATA_DIR", data.display().to_string()),
            ("SMTP_URL", smtp_url.to_owned()),
            ("CLINIC_PAYMENTS", "sandbox".to_owned()),
            ("CLINIC_TIMEZONE", "UTC".to_owned()),
            // The people come through "a proxy" (the test) that names each of them, as a
            // deployment's proxy does, so each has its own rate limits.
            ("CLINIC_TRUSTED_PROXIES", "127.0.0.1".to_owned()),
            ("CLINIC_DB_MAX_CONNECTIONS", "8".to_owned()),
            // As talkative as the browser tests' server: our code and each request at debug,
            // so the search for secrets in the logs has something to search.
            (
                "RUST_LOG",
                "info,server=debug,app=debug,tower_http=debug".to_owned(),
            ),
        ];
        Self {
            n,
            host,
            env,
            log: data.join("server.log"),
            child: None,
        }
    }

    pub(super) fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("the instance's log");
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start the server binary");
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown, no goodbye, requests in flight cut off.
    pub(super) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL the instance");
            let _ = child.wait();
        }
    }

    pub(super) fn stop(&mut self) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(30);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits until `/readyz` says 200; returns how long that took.
    pub(super) async fn wait_ready(&self, limit: Duration) -> Duration {
        let asked = Instant::now();
        loop {
            if status_of(&self.host, "/readyz").await == Some(200) {
                return asked.elapsed();
            }
            assert!(
                asked.elapsed() < limit,
                "instance {} was not ready within {limit:?}",
                self.n
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Which of `values` (name, value) this instance's log holds.
    pub(super) fn found_in_log<'a>(&self, secrets: &'a [(&'a str, String)]) -> Vec<&'a str> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        secrets
            .iter()
            .filter(|(_, value)| text.contains(value.as_str()))
            .map(|(name, _)| *name)
            .collect()
    }

    pub(super) fn print_log_tail(&self) {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        eprintln!("--- instance {} log (last 40 lines) ---", self.n);
        for line in &lines[lines.len().saturating_sub(40)..] {
            eprintln!("{line}");
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// GET `path` on a fresh connection; the status, or `None` without an answer.
pub(super) async fn status_of(host: &str, path: &str) -> Option<u16> {
    page(host, path).await.map(|reply| reply.status)
}

pub(super) async fn page(host: &str, path: &str) -> Option<Reply> {
    let asked = async {
        let mut connection = Connection::open(host).await?;
        connection.get(path, "").await
    };
    match tokio::time::timeout(Duration::from_secs(3), asked).await {
        Ok(Ok(reply)) => Some(reply),
        _ => None,
    }
}
