//! What operators rely on: `/metrics` (what it holds, and that it is served only where
//! configured), retention by configuration, and a graceful shutdown of the real `server`
//! binary on SIGTERM.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use server::config::{Config, Operations, Retention};
use server::{housekeeping, http, monitoring};

use crate::harness::{PASSWORD, TestApp, TestDb, World, config, count, key};

const TOKEN: &str = "scrape-me-0123456789abcdef";

/// One sample of the exposition: its labels and value.
#[derive(Debug)]
struct Sample {
    labels: HashMap<String, String>,
    value: f64,
}

/// Parses the Prometheus text format strictly enough to catch a malformed line: every line is
/// a comment or `name{labels} value`, with a number for the value. Samples by metric name.
fn parse_exposition(text: &str) -> HashMap<String, Vec<Sample>> {
    let mut samples: HashMap<String, Vec<Sample>> = HashMap::new();
    for line in text.lines().filter(|line| !line.is_empty()) {
        if let Some(comment) = line.strip_prefix('#') {
            assert!(
                comment.starts_with(" HELP ") || comment.starts_with(" TYPE "),
                "a stray comment: {line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a name and a value");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number in: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("labels end with }");
                let labels = body
                    .split("\",")
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (key, value) = pair.split_once("=\"").expect("label=\"value\"");
                        (key.to_owned(), value.trim_end_matches('"').to_owned())
                    })
                    .collect();
                (name, labels)
            }
            None => (series, HashMap::new()),
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "a bad metric name: {name}"
        );
        samples
            .entry(name.to_owned())
            .or_default()
            .push(Sample { labels, value });
    }
    samples
}

/// The value of `name`'s sample whose labels include all of `labels`.
fn value(samples: &HashMap<String, Vec<Sample>>, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in the exposition"))
        .iter()
        .find(|sample| {
            labels
                .iter()
                .all(|(key, want)| sample.labels.get(*key).map(String::as_str) == Some(*want))
        })
        .unwrap_or_else(|| panic!("no {name} with {labels:?}"))
        .value
}

fn with_token() -> Config {
    Config {
        operations: Operations {
            metrics_token: Some(TOKEN.to_owned()),
            ..Operations::default()
        },
        ..config()
    }
}

async fn scrape(app: &TestApp, authorization: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get("/metrics");
    if let Some(authorization) = authorization {
        request = request.header(header::AUTHORIZATION, authorization);
    }
    let response = app
        .send(request.body(Body::empty()).expect("request"))
        .await;
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 4 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn metrics_hold_requests_by_route_the_pool_the_outbox_jobs_and_bookings() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    world.patient("ann", "200.00").await;
    let slot = world.slot(3, 10).await;
    let app = TestApp::from(http::router(&with_token(), db.pool.clone()));

    let cookie = app.sign_in_as("ann").await;
    let (status, _) = app.book(&cookie, slot, key().as_str()).await;
    assert_eq!(status, StatusCode::OK);
    // Junk addresses all count as one route, never as their paths.
    let (status, _, _) = app.get("/no/such/page/8675309", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    // The background jobs run one tick and stop when told, between steps.
    let configured = with_token();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let jobs = housekeeping::spawn(
        db.pool.clone(),
        configured.clinic_settings(),
        Retention::default(),
        http::gateway_for(&configured),
        stopped,
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, text) = scrape(&app, Some(&format!("Bearer {TOKEN}"))).await;
        if text.contains("clinic_job_runs_total{job=\"retention\"}") || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).expect("the jobs listen");
    tokio::time::timeout(Duration::from_secs(5), jobs)
        .await
        .expect("the jobs stop when told")
        .expect("the jobs ran without a panic");

    let (status, text) = scrape(&app, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let samples = parse_exposition(&text);

    let book = [
        ("route", "/api/booking/book"),
        ("method", "POST"),
        ("status", "2xx"),
    ];
    assert!(value(&samples, "clinic_http_requests_total", &book) >= 1.0);
    assert!(
        value(
            &samples,
            "clinic_http_request_duration_seconds_count",
            &book
        ) >= 1.0
    );
    assert!(value(&samples, "clinic_http_request_duration_seconds_sum", &book) > 0.0);
    let mut inf = book.to_vec();
    inf.push(("le", "+Inf"));
    assert!(
        value(
            &samples,
            "clinic_http_request_duration_seconds_bucket",
            &inf
        ) >= 1.0
    );
    assert!(
        value(
            &samples,
            "clinic_http_requests_total",
            &[("route", "/healthz"), ("status", "2xx")]
        ) >= 1.0
    );
    assert!(
        value(
            &samples,
            "clinic_http_requests_total",
            &[("route", "unmatched"), ("status", "4xx")]
        ) >= 1.0
    );
    assert!(!text.contains("8675309"), "a raw path became a label");

    let in_use = value(
        &samples,
        "clinic_db_pool_connections",
        &[("state", "in_use")],
    );
    let idle = value(&samples, "clinic_db_pool_connections", &[("state", "idle")]);
    let max = value(&samples, "clinic_db_pool_max_connections", &[]);
    assert!(in_use >= 0.0 && idle >= 0.0 && in_use + idle <= max && max >= 1.0);

    // The booking's confirmation waits in the outbox (no mail worker runs here).
    let unsent = count(
        &db,
        "SELECT count(*) FROM email_outbox WHERE sent_at IS NULL",
    )
    .await;
    assert!(unsent >= 1);
    assert_eq!(value(&samples, "clinic_outbox_unsent", &[]), unsent as f64);
    let age = value(&samples, "clinic_outbox_oldest_unsent_age_seconds", &[]);
    assert!((0.0..600.0).contains(&age), "{age}");
    assert_eq!(value(&samples, "clinic_outbox_undeliverable", &[]), 0.0);

    // (The mail worker's rounds are the `mail_delivery` job, run by `serve` only.)
    for job in [
        "card_reconciliation",
        "next_free_slots",
        "hold_expiry",
        "reminders",
        "retention",
    ] {
        assert!(value(&samples, "clinic_job_runs_total", &[("job", job)]) >= 1.0);
        assert_eq!(
            value(&samples, "clinic_job_failures_total", &[("job", job)]),
            0.0,
            "{job}"
        );
        let last = value(
            &samples,
            "clinic_job_last_run_timestamp_seconds",
            &[("job", job)],
        );
        assert!(last > 1.7e9, "{job} ran at {last}");
        assert!(
            value(
                &samples,
                "clinic_job_last_success_timestamp_seconds",
                &[("job", job)]
            ) > 1.7e9
        );
        assert!(
            value(
                &samples,
                "clinic_job_last_duration_seconds",
                &[("job", job)]
            ) >= 0.0
        );
    }
    for step in [
        "sign_in_failures",
        "rate_limit_counters",
        "codes_in_delivered_mail",
        "delivered_mail",
        "request_keys",
        "one_time_codes",
        "expired_sessions",
        "audit_detail",
    ] {
        assert!(value(&samples, "clinic_retention_runs_total", &[("step", step)]) >= 1.0);
        assert!(value(&samples, "clinic_retention_rows_total", &[("step", step)]) >= 0.0);
        assert_eq!(
            value(
                &samples,
                "clinic_retention_failures_total",
                &[("step", step)]
            ),
            0.0,
            "{step}"
        );
    }

    assert!(
        value(
            &samples,
            "clinic_bookings_total",
            &[("outcome", "confirmed")]
        ) >= 1.0
    );
    assert!(value(&samples, "clinic_payments_total", &[]) >= 1.0);
    // Every family says what it is.
    for family in [
        "clinic_http_requests_total",
        "clinic_http_request_duration_seconds",
        "clinic_bookings_total",
    ] {
        assert!(text.contains(&format!("# HELP {family} ")), "{family}");
    }
}

#[tokio::test]
async fn a_refund_is_counted() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    world.patient("ann", "200.00").await;
    let slot = world.slot(5, 10).await;
    let app = TestApp::from(http::router(&with_token(), db.pool.clone()));
    let before = parse_exposition(&scrape(&app, Some(&format!("Bearer {TOKEN}"))).await.1);
    let refunds_before = before
        .get("clinic_refunds_total")
        .and_then(|samples| samples.first())
        .map_or(0.0, |sample| sample.value);

    let cookie = app.sign_in_as("ann").await;
    let (status, answer) = app.book(&cookie, slot, key().as_str()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let appointment: i64 = sqlx::query_scalar("SELECT id FROM appointments")
        .fetch_one(&db.pool)
        .await
        .expect("appointment");
    let (status, answer) = app
        .call(
            &cookie,
            "/api/booking/cancel",
            format!(
                "appointment_id={appointment}&expected_refund=80.00&reason=&request_key={}",
                key().as_str()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let after = parse_exposition(&scrape(&app, Some(&format!("Bearer {TOKEN}"))).await.1);
    assert!(value(&after, "clinic_refunds_total", &[]) >= refunds_before + 1.0);
}

#[tokio::test]
async fn metrics_are_served_only_where_configured() {
    let db = TestDb::new().await;

    // Nothing configured: no /metrics at all.
    let plain = TestApp::new(&db);
    let (status, text) = scrape(&plain, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!text.contains("clinic_http_requests_total"));

    // Behind the token: refused without it or with another.
    let guarded = TestApp::from(http::router(&with_token(), db.pool.clone()));
    for authorization in [
        None,
        Some("Bearer wrong-token-0123456789abc".to_owned()),
        Some(format!("Basic {TOKEN}")),
        Some(format!("Bearer {TOKEN}x")),
    ] {
        let (status, text) = scrape(&guarded, authorization.as_deref()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert!(!text.contains("clinic_"), "{authorization:?}");
    }
    let (status, _) = scrape(&guarded, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(status, StatusCode::OK);

    // On its own address: there, and not on the main one.
    let separate = Config {
        operations: Operations {
            metrics_addr: Some("127.0.0.1:0".parse().expect("address")),
            ..Operations::default()
        },
        ..config()
    };
    let main = TestApp::from(http::router(&separate, db.pool.clone()));
    assert_eq!(scrape(&main, None).await.0, StatusCode::NOT_FOUND);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    monitoring::spawn_listener(listener, db.pool.clone());
    let answer = get_over_tcp(addr, "/metrics").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("# TYPE "), "{answer}");
}

#[test]
fn a_short_or_spaced_token_is_refused_at_start() {
    use clap::Parser;
    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        operations: Operations,
        #[command(flatten)]
        retention: Retention,
    }
    assert!(Probe::try_parse_from(["server", "--metrics-token", "short"]).is_err());
    assert!(
        Probe::try_parse_from(["server", "--metrics-token", "sixteen chars with spaces"]).is_err()
    );
    assert!(Probe::try_parse_from(["server", "--metrics-token", TOKEN]).is_ok());
    // Retention below its floor is refused, not quietly raised.
    assert!(Probe::try_parse_from(["server", "--audit-detail-days", "1"]).is_err());
    assert!(Probe::try_parse_from(["server", "--request-keys-days", "0"]).is_err());
    // The defaults on the command line are the ones `Default` gives (the tests use those).
    let parsed = Probe::try_parse_from(["server"]).expect("defaults");
    let defaults = Retention::default();
    assert_eq!(
        format!("{:?}", parsed.retention),
        format!("{defaults:?}"),
        "clap's and Default's retention defaults differ"
    );
    assert_eq!(
        parsed.operations.shutdown_grace_secs,
        Operations::default().shutdown_grace_secs
    );
}

#[tokio::test]
async fn retention_keeps_rows_for_the_configured_ages() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    let ann = world.patient("ann", "0").await;
    for statement in [
        "INSERT INTO sign_in_failures (account_key, failed_at)
         VALUES ('five-days', now() - interval '5 days'), ('two-days', now() - interval '2 days')",
        "INSERT INTO tower_sessions.session (id, data, expiry_date)
         VALUES ('expired-long-ago', '\\x00', now() - interval '3 days'),
                ('expired-just-now', '\\x00', now() - interval '1 minute'),
                ('live', '\\x00', now() + interval '1 hour')",
    ] {
        sqlx::query(statement)
            .execute(&db.pool)
            .await
            .expect("seed rows");
    }
    // Audit entries from 400 and 10 days ago (the log refuses changes, but not inserts).
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, target_type, target_id, before, after, created_at)
         VALUES ($1, 'user.update', 'user', $1, '{\"name\":\"Ann\"}', '{\"name\":\"Anna\"}', now() - interval '400 days'),
                ($1, 'user.update', 'user', $1, '{\"name\":\"Anna\"}', '{\"name\":\"Ann\"}', now() - interval '10 days')",
    )
    .bind(ann)
    .execute(&db.pool)
    .await
    .expect("audit rows");
    let audit_rows = count(&db, "SELECT count(*) FROM audit_log").await;
    const RECENT_WITH_DETAIL: &str = "SELECT count(*) FROM audit_log
         WHERE created_at > now() - interval '300 days' AND (before IS NOT NULL OR after IS NOT NULL)";
    let recent_with_detail = count(&db, RECENT_WITH_DETAIL).await;
    assert!(recent_with_detail >= 1);

    let retention = Retention {
        throttling_days: 3,
        sessions_days: 1,
        ..Retention::default()
    };
    housekeeping::clean_up(&db.pool, &retention)
        .await
        .expect("clean-up");
    let failures: Vec<String> = sqlx::query_scalar("SELECT account_key FROM sign_in_failures")
        .fetch_all(&db.pool)
        .await
        .expect("failures");
    assert_eq!(failures, vec!["two-days".to_owned()]);
    let mut sessions: Vec<String> = sqlx::query_scalar("SELECT id FROM tower_sessions.session")
        .fetch_all(&db.pool)
        .await
        .expect("sessions");
    sessions.sort();
    assert_eq!(sessions, vec!["expired-just-now", "live"]);
    // The old entry keeps who did what and when; its detail is gone. The recent one is whole.
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit_log").await,
        audit_rows
    );
    let old: (bool, bool, String, Option<i64>) = sqlx::query_as(
        "SELECT before IS NULL, after IS NULL, action, actor_id FROM audit_log
          WHERE created_at < now() - interval '300 days'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("old entry");
    assert_eq!(old, (true, true, "user.update".to_owned(), Some(ann)));
    assert_eq!(count(&db, RECENT_WITH_DETAIL).await, recent_with_detail);
    // Running again changes nothing (any number of instances may run it).
    housekeeping::clean_up(&db.pool, &retention)
        .await
        .expect("clean-up again");
    assert_eq!(
        count(&db, "SELECT count(*) FROM tower_sessions.session").await,
        2
    );
    assert_eq!(count(&db, "SELECT count(*) FROM sign_in_failures").await, 1);
    assert_eq!(count(&db, RECENT_WITH_DETAIL).await, recent_with_detail);
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit_log").await,
        audit_rows
    );

    // The guard still refuses any other change to the log.
    for statement in [
        "UPDATE audit_log SET action = 'forged'",
        "UPDATE audit_log SET before = NULL, after = NULL, actor_id = NULL",
        "UPDATE audit_log SET after = '{}'",
        "DELETE FROM audit_log",
    ] {
        let err = sqlx::query(statement)
            .execute(&db.pool)
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
}

/// GET `path` on a fresh connection; the whole answer as text.
async fn get_over_tcp(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .expect("send");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("an answer within 10 s")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

/// A `server serve` process, killed if the test ends before it exits.
struct ServerProcess(std::process::Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_in_flight_finish_refuses_new_ones_and_exits_0() {
    let db = TestDb::new().await;
    let world = World::new(&db).await;
    world.patient("ann", "0").await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let data_dir = std::env::temp_dir().join(format!("clinic-shutdown-{}", std::process::id()));
    let grace = Duration::from_secs(10);
    let mut server = ServerProcess(
        Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .env("DATABASE_URL", db.url())
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("CLINIC_DATA_DIR", &data_dir)
            .env("CLINIC_SHUTDOWN_GRACE_SECS", grace.as_secs().to_string())
            .env("CLINIC_DB_MAX_CONNECTIONS", "4")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the server binary"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !get_over_tcp_quietly(addr).await {
        assert!(Instant::now() < deadline, "the server did not start");
        assert!(
            matches!(server.0.try_wait(), Ok(None)),
            "the server exited at start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A sign-in in flight: its head and half its body sent, the rest held back.
    let body = format!("identifier=ann&password={PASSWORD}");
    let (first, rest) = body.split_at(body.len() / 2);
    let mut in_flight = TcpStream::connect(addr).await.expect("connect");
    in_flight
        .write_all(
            format!(
                "POST /api/sign-in HTTP/1.1\r\nHost: {addr}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\n\r\n{first}",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .expect("send the first half");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());

    // New connections are refused once the signal is taken.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpStream::connect(addr).await {
            Err(_) => break,
            Ok(_) => {
                assert!(
                    Instant::now() < deadline,
                    "still accepting connections after SIGTERM"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    assert!(
        matches!(server.0.try_wait(), Ok(None)),
        "the server exited with a request in flight"
    );

    // The request in flight completes, and succeeds.
    in_flight
        .write_all(rest.as_bytes())
        .await
        .expect("send the rest");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), in_flight.read_to_end(&mut answer))
        .await
        .expect("an answer within 10 s")
        .expect("read the answer");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("clinic_session="), "{answer}");

    // Then the process exits 0, within the grace period.
    let exit = loop {
        if let Some(status) = server.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            signalled.elapsed() < grace + Duration::from_secs(5),
            "the server did not exit within the grace period"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "the server exited with {exit}");
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// Whether `/healthz` answers 200 at `addr` now.
async fn get_over_tcp_quietly(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    matches!(
        tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer)).await,
        Ok(Ok(_))
    ) && answer.starts_with(b"HTTP/1.1 200")
}
