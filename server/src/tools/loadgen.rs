//! `server bench-booking`: drives the booking server function of a running server over HTTP
//! with many concurrent patients, then checks the money and booking invariants.
//!
//! Each simulated patient has its own keep-alive connection, session and wallet (topped up
//! through the ledger first) and books its own share of free slots, each request with a fresh
//! request key, as fast as the server answers, through the tools' own HTTP/1.1 client.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use app::domain::Money;
use app::domain::request_key::RequestKey;
use app::domain::wallet::TransactionType;
use app::services::ClinicSettings;
use app::services::ledger::{self, Posting};
use sqlx::PgPool;

use super::demo::DEMO_PASSWORD;
use super::http_client::Connection;

/// What one run measured.
#[derive(Debug, Default)]
pub struct Report {
    pub clients: usize,
    pub seconds: f64,
    pub confirmed: u64,
    pub held: u64,
    pub taken: u64,
    pub refused: u64,
    pub latencies_ms: Vec<f64>,
    pub violations: Vec<String>,
}

impl Report {
    pub fn bookings_per_second(&self) -> f64 {
        (self.confirmed + self.held) as f64 / self.seconds
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_ms.is_empty() {
            return 0.0;
        }
        let mut sorted = self.latencies_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index]
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} clients, {:.1} s: {} confirmed, {} held, {} taken, {} refused",
            self.clients, self.seconds, self.confirmed, self.held, self.taken, self.refused
        )?;
        writeln!(
            f,
            "bookings/s {:.0}   p50 {:.1} ms   p99 {:.1} ms",
            self.bookings_per_second(),
            self.percentile(0.5),
            self.percentile(0.99)
        )?;
        if self.violations.is_empty() {
            write!(f, "invariants: all hold")
        } else {
            write!(f, "INVARIANTS BROKEN:\n{}", self.violations.join("\n"))
        }
    }
}

/// Runs `clients` patients booking for `seconds` against the server at `host` (`127.0.0.1:3000`).
pub async fn run(
    pool: &PgPool,
    settings: &ClinicSettings,
    host: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Report> {
    let patients: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, username FROM users
          WHERE user_type = 'patient' AND is_active AND email_verified_at IS NOT NULL
          ORDER BY id LIMIT $1",
    )
    .bind(clients as i64)
    .fetch_all(pool)
    .await?;
    if patients.len() < clients {
        bail!(
            "the database has {} verified patients; {clients} are needed (load `seed-demo --scale`)",
            patients.len()
        );
    }
    // Enough money for every booking the run can make.
    for (id, _) in &patients {
        let mut conn = pool.acquire().await?;
        ledger::post(
            &mut conn,
            Posting {
                user_id: *id,
                kind: TransactionType::Deposit,
                amount: Money::parse("100000").map_err(anyhow::Error::msg)?,
                description: "Benchmark top-up",
                appointment_id: None,
                actor: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    // Each client gets its own free, bookable slots (far ahead, so the run never reaches the
    // booking notice), as many as it could possibly book.
    let per_client = (seconds as usize * 400).max(50);
    let slots: Vec<i64> = sqlx::query_scalar(
        "SELECT s.id FROM time_slots s JOIN doctors d ON d.id = s.doctor_id
          WHERE s.is_available AND d.is_active
            AND (s.date, s.start_time) > ($1::timestamp::date, $1::timestamp::time)
          ORDER BY s.date DESC, s.id
          LIMIT $2",
    )
    .bind(settings.bookable_from(chrono::Utc::now() + chrono::TimeDelta::hours(1)))
    .bind((per_client * clients) as i64)
    .fetch_all(pool)
    .await?;
    if slots.len() < clients {
        bail!("only {} free slots ahead; reload the data set", slots.len());
    }
    let mut sessions = Vec::new();
    for (_, username) in &patients {
        let mut connection = Connection::open(host).await?;
        let reply = connection
            .post(
                "/api/sign-in",
                "",
                &format!("identifier={username}&password={DEMO_PASSWORD}"),
            )
            .await?;
        if reply.status != 200 {
            bail!(
                "signing in {username} answered {}: {}",
                reply.status,
                reply.body
            );
        }
        let cookie = reply
            .cookie("clinic_session")
            .context("no session cookie after sign-in")?;
        sessions.push((connection, cookie));
    }

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (n, (mut connection, cookie)) in sessions.into_iter().enumerate() {
        let mine: Vec<i64> = slots.iter().skip(n).step_by(clients).copied().collect();
        tasks.push(tokio::spawn(async move {
            let mut report = Report::default();
            for slot in mine {
                if Instant::now() >= deadline {
                    break;
                }
                let body = format!(
                    "slot_id={slot}&request_key={}",
                    RequestKey::generate().as_str()
                );
                let sent = Instant::now();
                let reply = connection.post("/api/booking/book", &cookie, &body).await?;
                report
                    .latencies_ms
                    .push(sent.elapsed().as_secs_f64() * 1000.0);
                match reply.status {
                    200 if reply.body.contains("\"Confirmed\"") => report.confirmed += 1,
                    200 if reply.body.contains("\"AwaitingPayment\"") => report.held += 1,
                    200 => report.taken += 1,
                    _ => report.refused += 1,
                }
            }
            anyhow::Ok(report)
        }));
    }
    let mut total = Report {
        clients,
        ..Report::default()
    };
    for task in tasks {
        let part = task.await??;
        total.confirmed += part.confirmed;
        total.held += part.held;
        total.taken += part.taken;
        total.refused += part.refused;
        total.latencies_ms.extend(part.latencies_ms);
    }
    total.seconds = started.elapsed().as_secs_f64();
    total.violations = super::invariants::violations(pool).await?;
    Ok(total)
}
