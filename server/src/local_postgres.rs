//! A private PostgreSQL cluster for development and tests, used when `DATABASE_URL` is unset.
//!
//! The cluster lives in a project folder (`.local/postgres` by default, ignored by git): created
//! with `initdb` on first use, started with `pg_ctl` on a free loopback port, and stopped by
//! whoever started it. Several processes (the app, test binaries, scripts) may share it: a file
//! lock serialises start-up, and a process that finds it running joins it instead.
//!
//! PostgreSQL refuses to run as root. When we are root (CI is), the server programs run as the
//! `postgres` system user through `runuser`, and the data folder belongs to that user.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The superuser `initdb` creates; the app connects as it.
const SUPERUSER: &str = "clinic";
/// The system account that runs PostgreSQL when we are root.
const SYSTEM_USER: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum LocalPostgresError {
    #[error(
        "the PostgreSQL server programs (initdb, pg_ctl) were not found on PATH or in \
         /usr/lib/postgresql/*/bin. Install them with `sudo apt-get install postgresql` \
         (Debian/Ubuntu), or set DATABASE_URL to use a PostgreSQL server you already have"
    )]
    NotInstalled,
    #[error(
        "PostgreSQL refuses to run as root, and the `{SYSTEM_USER}` system user it would run as \
         does not exist. Install the `postgresql` package, which creates it"
    )]
    NoSystemUser,
    #[error("{action} failed: {detail}")]
    Command { action: String, detail: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, LocalPostgresError>;

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> LocalPostgresError + '_ {
    move |source| LocalPostgresError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A running private cluster.
#[derive(Debug)]
pub struct LocalPostgres {
    cluster: Cluster,
    port: u16,
    password: String,
    started_here: bool,
}

impl LocalPostgres {
    /// Starts the cluster under `folder` (creating it on first use), or joins it when another
    /// process already started it. Blocking: call it from start-up code or `spawn_blocking`.
    pub fn start(folder: &Path) -> Result<Self> {
        let cluster = Cluster::locate(folder)?;
        let _lock = cluster.lock()?;
        let password = cluster.password()?;
        if !cluster.data.join("PG_VERSION").exists() {
            cluster.init(&password)?;
        }
        if let Some(port) = cluster.running_port()? {
            tracing::info!(port, folder = %cluster.root.display(), "joined the running private PostgreSQL");
            return Ok(Self {
                cluster,
                port,
                password,
                started_here: false,
            });
        }
        // The port of the last start when it is still free: a server that was connected before
        // a `local-db stop` and start (or a test's restart) finds the database where it was.
        let port = match cluster.last_port().filter(|port| port_is_free(*port)) {
            Some(port) => port,
            None => free_port()?,
        };
        cluster.start(port)?;
        tracing::info!(port, folder = %cluster.root.display(), "started the private PostgreSQL");
        Ok(Self {
            cluster,
            port,
            password,
            started_here: true,
        })
    }

    /// The connection URL of `database` in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    /// Whether this process started the cluster (and so should stop it).
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// Stops the cluster if this process started it; a cluster we joined belongs to someone else.
    pub fn stop_if_started_here(self) -> Result<()> {
        if self.started_here {
            self.cluster.stop()?;
            tracing::info!("stopped the private PostgreSQL");
        }
        Ok(())
    }
}

/// Stops the cluster under `folder` if it is running, whoever started it. Returns whether it was.
pub fn stop(folder: &Path) -> Result<bool> {
    let cluster = Cluster::locate(folder)?;
    let _lock = cluster.lock()?;
    if cluster.running_port()?.is_none() {
        return Ok(false);
    }
    cluster.stop()?;
    Ok(true)
}

/// The port of the cluster under `folder`, if it is running.
pub fn running_port(folder: &Path) -> Result<Option<u16>> {
    let cluster = Cluster::locate(folder)?;
    if !cluster.data.join("PG_VERSION").exists() {
        return Ok(None);
    }
    cluster.running_port()
}

/// Where a cluster lives and how to run its programs.
#[derive(Debug)]
struct Cluster {
    /// Our folder: the lock, the password, the log and `data/`.
    root: PathBuf,
    data: PathBuf,
    bin: PathBuf,
    /// `Some("postgres")` when we are root and must run the server programs as that user.
    run_as: Option<&'static str>,
}

impl Cluster {
    fn locate(folder: &Path) -> Result<Self> {
        let bin = find_bin_dir().ok_or(LocalPostgresError::NotInstalled)?;
        fs::create_dir_all(folder).map_err(io_error(folder))?;
        let folder = fs::canonicalize(folder).map_err(io_error(folder))?;
        let run_as = running_as_root(&folder)?.then_some(SYSTEM_USER);
        let root = match run_as {
            Some(user) if !user_can_reach(user, &folder) => {
                // The project sits somewhere the postgres user cannot enter (under /root, say).
                // Keep the cluster in a folder of its own, named after the project folder so
                // that two checkouts never share one.
                let fallback = std::env::temp_dir().join(format!(
                    "clinic-postgres-{:016x}",
                    fnv1a(folder.as_os_str().as_encoded_bytes())
                ));
                tracing::warn!(
                    project = %folder.display(),
                    cluster = %fallback.display(),
                    "the postgres user cannot reach the project folder; keeping the cluster elsewhere"
                );
                fs::create_dir_all(&fallback).map_err(io_error(&fallback))?;
                fallback
            }
            _ => folder,
        };
        Ok(Self {
            data: root.join("data"),
            root,
            bin,
            run_as,
        })
    }

    /// Holds an exclusive lock on the cluster folder until the returned file is dropped.
    fn lock(&self) -> Result<File> {
        let path = self.root.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        file.lock().map_err(io_error(&path))?;
        Ok(file)
    }

    /// The superuser's password: made once, kept readable by its owner only.
    fn password(&self) -> Result<String> {
        let path = self.root.join("password");
        if let Ok(existing) = fs::read_to_string(&path) {
            let existing = existing.trim();
            if !existing.is_empty() {
                return Ok(existing.to_owned());
            }
        }
        let password = random_token(32);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(io_error(&path))?;
        writeln!(file, "{password}").map_err(io_error(&path))?;
        Ok(password)
    }

    fn init(&self, password: &str) -> Result<()> {
        // A half-made data folder from an interrupted initdb would make initdb refuse.
        if self.data.exists() {
            fs::remove_dir_all(&self.data).map_err(io_error(&self.data))?;
        }
        self.make_owned_dir(&self.data, 0o700)?;
        let log_dir = self.root.join("log");
        self.make_owned_dir(&log_dir, 0o700)?;
        // initdb reads the password from a file, which must be readable by the user it runs as.
        let pwfile = log_dir.join("initial-password");
        fs::write(&pwfile, password).map_err(io_error(&pwfile))?;
        self.give_to_system_user(&pwfile)?;
        let output = self.run(
            "initdb",
            &[
                "-D".as_ref(),
                self.data.as_os_str(),
                "-U".as_ref(),
                SUPERUSER.as_ref(),
                "--pwfile".as_ref(),
                pwfile.as_os_str(),
                "--auth=scram-sha-256".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--locale=C.UTF-8".as_ref(),
            ],
        );
        let _ = fs::remove_file(&pwfile);
        check("initdb", output?)?;

        // Loopback only, no Unix socket (its folder may not be writable), and enough
        // connections for a test suite that gives every test its own pool.
        let conf = self.data.join("postgresql.conf");
        let mut file = OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(io_error(&conf))?;
        file.write_all(
            b"\n# Added by Clinic's private-cluster launcher\n\
              listen_addresses = '127.0.0.1'\n\
              unix_socket_directories = ''\n\
              max_connections = 200\n\
              shared_buffers = 256MB\n",
        )
        .map_err(io_error(&conf))?;
        Ok(())
    }

    /// The port of the running server, or `None` when it is not running.
    fn running_port(&self) -> Result<Option<u16>> {
        let status = self.run(
            "pg_ctl",
            &["status".as_ref(), "-D".as_ref(), self.data.as_os_str()],
        )?;
        if !status.status.success() {
            return Ok(None);
        }
        // postmaster.pid: line 4 is the port.
        let pid_file = self.data.join("postmaster.pid");
        let text = fs::read_to_string(&pid_file).map_err(io_error(&pid_file))?;
        let port = text
            .lines()
            .nth(3)
            .and_then(|line| line.trim().parse().ok());
        Ok(port)
    }

    /// The port the cluster was last started on, from `postmaster.opts` (which `pg_ctl` writes
    /// at each start: the server's command line, `... "-p" "PORT"`).
    fn last_port(&self) -> Option<u16> {
        let options = fs::read_to_string(self.data.join("postmaster.opts")).ok()?;
        let mut words = options
            .split_whitespace()
            .map(|word| word.trim_matches('"'));
        words.find(|word| *word == "-p")?;
        words.next()?.parse().ok()
    }

    fn start(&self, port: u16) -> Result<()> {
        let log = self.root.join("log").join("postgres.log");
        let options = format!("-p {port}");
        let output = self.run(
            "pg_ctl",
            &[
                "start".as_ref(),
                "-D".as_ref(),
                self.data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "-o".as_ref(),
                options.as_ref(),
            ],
        )?;
        check("pg_ctl start", output).map_err(|err| match err {
            LocalPostgresError::Command { action, detail } => LocalPostgresError::Command {
                action,
                detail: format!("{detail} (server log: {})", log.display()),
            },
            other => other,
        })
    }

    fn stop(&self) -> Result<()> {
        let output = self.run(
            "pg_ctl",
            &[
                "stop".as_ref(),
                "-D".as_ref(),
                self.data.as_os_str(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-w".as_ref(),
            ],
        )?;
        check("pg_ctl stop", output)
    }

    /// Runs one of PostgreSQL's programs, as the system user when we are root. It gets a process
    /// group of its own, so a Ctrl-C in our terminal reaches us, and we stop the server in order.
    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<Output> {
        let path = self.bin.join(program);
        let mut command = match self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&path);
                command
            }
            None => Command::new(&path),
        };
        command.args(args).current_dir(&self.root).process_group(0);
        command.output().map_err(io_error(&path))
    }

    fn make_owned_dir(&self, path: &Path, mode: u32) -> Result<()> {
        fs::create_dir_all(path).map_err(io_error(path))?;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io_error(path))?;
        self.give_to_system_user(path)
    }

    fn give_to_system_user(&self, path: &Path) -> Result<()> {
        let Some(user) = self.run_as else {
            return Ok(());
        };
        let (uid, gid) = system_user_ids(user)?;
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(io_error(path))
    }
}

fn check(action: &str, output: Output) -> Result<()> {
    if output.status.success() {
        return Ok(());
    }
    let mut detail = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    if detail.is_empty() {
        detail = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    }
    Err(LocalPostgresError::Command {
        action: action.to_owned(),
        detail: format!("{} ({})", detail, output.status),
    })
}

/// Finds the folder with `initdb` and `pg_ctl`: on PATH, or Debian's versioned folders (newest).
fn find_bin_dir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("pg_ctl").is_file() && dir.join("initdb").is_file();
    if let Some(path) = std::env::var_os("PATH")
        && let Some(dir) = std::env::split_paths(&path).find(|dir| has_tools(dir))
    {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Whether this process runs as root: a folder we just created belongs to our user.
fn running_as_root(folder: &Path) -> Result<bool> {
    let meta = fs::metadata("/proc/self")
        .or_else(|_| fs::metadata(folder))
        .map_err(io_error(folder))?;
    Ok(meta.uid() == 0)
}

fn system_user_ids(user: &str) -> Result<(u32, u32)> {
    let id = |flag: &str| -> Result<u32> {
        let output = Command::new("id")
            .args([flag, user])
            .output()
            .map_err(io_error(Path::new("id")))?;
        if !output.status.success() {
            return Err(LocalPostgresError::NoSystemUser);
        }
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .map_err(|_| LocalPostgresError::NoSystemUser)
    };
    Ok((id("-u")?, id("-g")?))
}

fn user_can_reach(user: &str, folder: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-x"])
        .arg(folder)
        .status()
        .is_ok_and(|status| status.success())
}

/// A port nobody listens on right now. The OS picks it; the tiny window before PostgreSQL binds
/// it is harmless on a developer machine, and `pg_ctl start` fails loudly if it is lost.
fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn free_port() -> Result<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(io_error(Path::new("127.0.0.1:0")))?;
    let port = listener
        .local_addr()
        .map_err(io_error(Path::new("127.0.0.1:0")))?
        .port();
    Ok(port)
}

fn random_token(len: usize) -> String {
    use rand::Rng;
    rand::rngs::OsRng
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A stable 64-bit hash (FNV-1a), for naming folders: std's hasher may change between releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
