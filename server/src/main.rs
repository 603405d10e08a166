//! The `server` command: serves the app (default) and runs the operator's tasks, whose bodies
//! live in `tools/`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use app::services::accounts::AdminForm;
use server::config::Config;
use server::database::{self, Database};
use server::tools::{admin, backup, db_report, demo, explain, loadgen, ratings, restore, scale};
use server::{housekeeping, http, local_postgres, mailer, telemetry};

// Under load the server spent about a third of its time in glibc's malloc and free (perf, 32
// connections): rendering a page makes many small, short-lived allocations, which mimalloc
// serves much faster.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "server",
    version,
    about = "Clinic: doctor appointments, from search to payment"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default).
    Serve {
        /// Load the demo data into an empty database and print the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Create an administrator account. The password is read from CLINIC_ADMIN_PASSWORD or,
    /// when that is unset, from the first line of standard input.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
    },
    /// Load the demo data (specialties, doctors, slots, patients, an admin) into an empty database.
    SeedDemo {
        /// Instead, generate a large data set for measuring: N × (100 doctors, 200 patients,
        /// 10,000 slots, 2,000 appointments with payments, 1,000 reviews) over 50 specialties.
        /// N may be a fraction, such as 0.1.
        #[arg(long, value_name = "N")]
        scale: Option<f64>,
    },
    /// Print how PostgreSQL runs the doctor directory's queries (EXPLAIN ANALYZE) for a spread
    /// of filter combinations on the current data, flagging sequential scans.
    ExplainDirectory,
    /// Recompute every doctor's average rating and review count from their visible reviews, and
    /// print the doctors whose kept values were wrong. Safe while the app serves traffic: each
    /// doctor is corrected in its own short transaction holding that doctor's row lock.
    RecomputeRatings,
    /// Measure booking over HTTP against a running server on this database: CLIENTS patients
    /// book free slots for SECONDS, then the money and booking invariants are checked.
    BenchBooking {
        /// The running server's address.
        #[arg(long, default_value = "127.0.0.1:3000")]
        host: String,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Write the whole database to FILE in pg_dump's custom format (for `server restore`). The
    /// file appears only once the backup is complete.
    Backup {
        file: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        overwrite: bool,
    },
    /// Load a backup made by `server backup` into the database, in one transaction. A database
    /// that already holds tables is refused unless --replace is given.
    Restore {
        file: PathBuf,
        /// Drop everything the database holds (its schemas and their tables) and put the backup
        /// in its place. Stop every Clinic instance using the database first.
        #[arg(long)]
        replace: bool,
    },
    /// Report index usage, unused and duplicate indexes, table and index bloat, the slowest
    /// statements (pg_stat_statements) and autovacuum's last runs. Reads statistics only.
    DbReport,
    /// Print the app's pages (its route table), one path pattern a line, such as
    /// `/doctors/{id}`. Needs no database.
    Routes,
    /// Manage the private PostgreSQL cluster used when DATABASE_URL is unset.
    LocalDb {
        #[command(subcommand)]
        action: LocalDbAction,
    },
}

#[derive(Subcommand)]
enum LocalDbAction {
    /// Start the cluster (or join it if running) and print the URL of a database in it.
    Start {
        /// The database to print the URL of; created when missing.
        #[arg(long, default_value = database::LOCAL_DATABASE)]
        database: String,
        /// Drop the database first, so it starts empty.
        #[arg(long)]
        fresh: bool,
    },
    /// Stop the cluster, whoever started it.
    Stop,
    /// Print whether the cluster is running; exit with 0 if it is, 1 if not.
    Status,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal; a broken one is worth stopping for.
    match dotenvy::dotenv() {
        Ok(_) => {}
        Err(err) if err.not_found() => {}
        Err(err) => return Err(err).context("could not read the .env file"),
    }
    telemetry::init();
    let cli = Cli::parse();
    let config = cli.config.blank_means_unset();

    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Migrate => {
            let db = Database::open(&config).await?;
            println!("The database schema is up to date.");
            db.close().await;
            Ok(())
        }
        Command::CreateAdmin {
            username,
            email,
            first_name,
            last_name,
        } => {
            let password = admin::read_password(&username)?;
            // Refuse bad input before starting a database.
            let new_admin = admin::check(AdminForm {
                username,
                email,
                first_name,
                last_name,
                password,
            })?;
            let db = Database::open(&config).await?;
            let result = admin::create(&db.pool, new_admin).await;
            db.close().await;
            result
        }
        Command::SeedDemo { scale: factor } => {
            // Refuse a bad scale before starting a database.
            let plan = factor.map(scale::ScalePlan::for_scale).transpose()?;
            let db = Database::open(&config).await?;
            let result = match plan {
                Some(plan) => scale::seed_and_report(&db.pool, &plan, config.time_zone).await,
                None => demo::seed_and_show_logins(&db.pool, config.time_zone).await,
            };
            db.close().await;
            result
        }
        Command::ExplainDirectory => {
            let db = Database::open(&config).await?;
            let result = explain::explain_directory(&db.pool, &config.clinic_settings()).await;
            db.close().await;
            result.map(|_| ())
        }
        Command::RecomputeRatings => {
            let db = Database::open(&config).await?;
            let result = ratings::recompute(&db.pool).await;
            db.close().await;
            result
        }
        Command::BenchBooking {
            host,
            clients,
            seconds,
        } => {
            let db = Database::open(&config).await?;
            let result =
                loadgen::run(&db.pool, &config.clinic_settings(), &host, clients, seconds).await;
            db.close().await;
            let report = result?;
            println!("{report}");
            if !report.violations.is_empty() {
                anyhow::bail!("the booking invariants do not hold");
            }
            Ok(())
        }
        Command::Backup { file, overwrite } => {
            // The schema is copied as it is: a backup never migrates.
            let db = Database::connect(&config).await?;
            let result = backup::backup(&db.pool, &db.url, &file, overwrite).await;
            db.close().await;
            println!("{}", result?);
            Ok(())
        }
        Command::Restore { file, replace } => {
            let db = Database::connect(&config).await?;
            let result = restore::restore(&db.pool, &db.url, &file, replace).await;
            db.close().await;
            println!("{}", result?);
            Ok(())
        }
        Command::DbReport => {
            let db = Database::connect(&config).await?;
            let result = db_report::gather(&db.pool).await;
            db.close().await;
            print!("{}", result?);
            Ok(())
        }
        Command::Routes => {
            for path in http::page_routes() {
                println!("{path}");
            }
            Ok(())
        }
        Command::LocalDb { action } => local_db(&config, action).await,
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let db = Database::open(&config).await?;
    // Whatever happens, the pool closes and a private cluster we started stops.
    let result = serve_with(&config, &db, demo).await;
    db.close().await;
    result
}

async fn serve_with(config: &Config, db: &Database, demo: bool) -> anyhow::Result<()> {
    match config.card_payments()? {
        // No card number is ever logged, not even the sandbox's public ones (scripts/test.sh
        // searches the log for every number the tests used).
        app::domain::wallet::CardPayments::Sandbox => tracing::warn!(
            "card payments go to the SANDBOX: no real money moves, and its test cards (listed on the wallet page) add wallet money for free"
        ),
        app::domain::wallet::CardPayments::Off => {
            tracing::info!("card payments are off: no wallet top-ups or withdrawals")
        }
    }
    match &config.redis_url {
        Some(url) => {
            server::redis::check_url(url)?;
            tracing::info!("sessions and the public pages are shared through Redis (REDIS_URL)");
        }
        None => tracing::info!("sessions live in PostgreSQL (REDIS_URL is not set)"),
    }
    if demo {
        demo::seed_and_show_logins(&db.pool, config.time_zone).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| {
            format!(
                "could not listen on {} (is another server running there? set LEPTOS_SITE_ADDR to use another address)",
                config.addr
            )
        })?;
    let mailer = config.mailer()?;
    tracing::info!(delivery = %mailer.describe(), "email worker started");
    let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
    let mail_worker = mailer::spawn_worker(db.pool.clone(), mailer, workers_stopped.clone());
    let gateway = http::gateway_for(config);
    let housekeeping = housekeeping::spawn(
        db.pool.clone(),
        config.clinic_settings(),
        config.retention.clone(),
        gateway.clone(),
        workers_stopped,
    );
    server::monitoring::start(&config.operations.metrics(), db.pool.clone()).await?;

    let router = http::router_with_gateway(config, db.pool.clone(), gateway);
    println!(
        "\nClinic is running at {}  (Ctrl-C to stop)\n",
        config.public_url()
    );
    tracing::info!(addr = %config.addr, "listening");
    // On the signal the listener closes, the requests in flight finish (within the grace), and
    // meanwhile the email worker and the housekeeping stop after the step in hand; the pool
    // closes after both. (Expired sessions are deleted by the housekeeping's clean-up.)
    let signal = async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing the requests in flight");
        let _ = stop_workers.send(true);
    };
    let grace = config.operations.shutdown_grace();
    let served = server::edge::connections::serve_draining(listener, router, signal, grace).await;
    let _ = mail_worker.await;
    let _ = housekeeping.await;
    tracing::info!("stopped");
    served.context("the HTTP server stopped with an error")
}

/// Resolves on Ctrl-C or SIGTERM: in-flight requests finish, then we close the database.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn local_db(config: &Config, action: LocalDbAction) -> anyhow::Result<()> {
    let folder: PathBuf = config.data_dir.join("postgres");
    match action {
        LocalDbAction::Start { database, fresh } => {
            let local = database::start_local(config).await?;
            if fresh {
                database::recreate_database(&local.url("postgres"), &database).await?;
            } else {
                database::ensure_database(&local.url("postgres"), &database).await?;
            }
            // The cluster outlives this command on purpose: `local-db stop` ends it.
            println!("{}", local.url(&database));
            Ok(())
        }
        LocalDbAction::Stop => {
            let stopped =
                tokio::task::spawn_blocking(move || local_postgres::stop(&folder)).await??;
            eprintln!(
                "{}",
                if stopped {
                    "Stopped the private PostgreSQL."
                } else {
                    "The private PostgreSQL was not running."
                }
            );
            Ok(())
        }
        LocalDbAction::Status => {
            let port = tokio::task::spawn_blocking(move || local_postgres::running_port(&folder))
                .await??;
            match port {
                Some(port) => {
                    println!("running on 127.0.0.1:{port}");
                    Ok(())
                }
                None => {
                    println!("not running");
                    std::process::exit(1);
                }
            }
        }
    }
}
