//! What operators scrape: `/metrics` in the Prometheus text format, and the measurements behind
//! it (requests by route, the pool, the outbox, the background jobs).
//!
//! The `metrics` crate's macros record anywhere in the process (the services count bookings,
//! payments and refunds with them); the Prometheus recorder installed here keeps the values and
//! renders them when `/metrics` is asked. The exporter's own HTTP server is not used: `/metrics`
//! is served either on its own address (`CLINIC_METRICS_ADDR`, for a scraper on a private
//! network) or on the main address behind a bearer token (`CLINIC_METRICS_TOKEN`); with neither
//! set it is not served at all, so nothing about the clinic's traffic is public by accident.
//!
//! Every instance reports its own requests, pool and jobs; the outbox figures are the database's
//! and so the same from every instance.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{FromRef, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body_util::BodyExt;
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;

/// Latency buckets, in seconds: from a cached page (a millisecond) to the request timeout.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Histograms are drained into their buckets this often (the exporter leaves it to its user).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);
/// How long a scrape waits for the database's figures before answering without them.
const DATABASE_PATIENCE: Duration = Duration::from_secs(2);
/// The route label of a request that matched no route (the fallback: files and "not found"),
/// so junk addresses all land in one series.
const UNMATCHED: &str = "unmatched";

/// The process's recorder, installed on first use. One per process: tests build many routers
/// in one process, and each shares it.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder can only be there if something else installed one first; then our
        // handle renders nothing, which /metrics shows rather than the process failing.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
        }
        describe();
        handle
    })
}

/// Keeps the histograms drained for as long as the server runs (a scrape drains them too; this
/// bounds their memory when nobody scrapes).
pub fn spawn_upkeep() -> tokio::task::JoinHandle<()> {
    let handle = recorder().clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(UPKEEP_EVERY).await;
            handle.run_upkeep();
        }
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "clinic_http_requests_total",
        "Requests answered, by matched route pattern, method and status class"
    );
    describe_histogram!(
        "clinic_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time from a request's arrival to its answer's last byte, by route, method and status class"
    );
    describe_gauge!(
        "clinic_db_pool_connections",
        "Database connections of this instance's pool, by state (in_use, idle)"
    );
    describe_gauge!(
        "clinic_db_pool_max_connections",
        "The most connections this instance's pool opens"
    );
    describe_gauge!(
        "clinic_outbox_unsent",
        "Emails waiting to be sent (neither sent nor parked as undeliverable)"
    );
    describe_gauge!(
        "clinic_outbox_oldest_unsent_age_seconds",
        "Age of the oldest email waiting to be sent; 0 when none waits"
    );
    describe_gauge!(
        "clinic_outbox_undeliverable",
        "Emails parked as undeliverable, still kept for support"
    );
    describe_counter!("clinic_job_runs_total", "Runs of each background job");
    describe_counter!(
        "clinic_job_failures_total",
        "Runs of each background job that failed (it tries again next time)"
    );
    describe_gauge!(
        "clinic_job_last_run_timestamp_seconds",
        "When each background job last finished a run (Unix time)"
    );
    describe_gauge!(
        "clinic_job_last_success_timestamp_seconds",
        "When each background job last finished a run without failing (Unix time)"
    );
    describe_gauge!(
        "clinic_job_last_duration_seconds",
        "How long each background job's last run took"
    );
    describe_counter!("clinic_retention_runs_total", "Runs of each retention step");
    describe_counter!(
        "clinic_retention_rows_total",
        "Rows each retention step removed or stripped of personal detail"
    );
    describe_counter!(
        "clinic_retention_failures_total",
        "Runs of each retention step that failed"
    );
    describe_counter!(
        "clinic_bookings_total",
        "Bookings committed, by outcome (confirmed, awaiting_payment)"
    );
    describe_counter!(
        "clinic_payments_total",
        "Appointment fees paid from a wallet"
    );
    describe_counter!(
        "clinic_refunds_total",
        "Refunds of appointment fees to a wallet"
    );
}

/// The middleware that counts and times every request by its route. Placed outermost, so it
/// sees every answer (the edge's refusals, cached pages, 503s while the database is away).
pub async fn measure(request: Request, next: Next) -> Response {
    let started = Instant::now();
    // The route's pattern (`/doctors/{id}`), never the path: junk addresses cannot make new
    // series. Server functions' routes are their names (`/api/booking/book`).
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |path| path.as_str().to_owned());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let labels = [
        ("route", route),
        ("method", method.to_owned()),
        ("status", status_class(response.status()).to_owned()),
    ];
    counter!("clinic_http_requests_total", &labels).increment(1);
    // Pages stream: the time that matters ends with the last byte, when the body is dropped.
    let timer = RequestTimer {
        started,
        labels: Some(labels),
    };
    response.map(|body| {
        axum::body::Body::new(body.map_frame(move |frame| {
            let _keep = &timer;
            frame
        }))
    })
}

/// Records a request's duration when its answer's body is done with (sent or abandoned).
struct RequestTimer {
    started: Instant,
    labels: Option<[(&'static str, String); 3]>,
}

impl Drop for RequestTimer {
    fn drop(&mut self) {
        if let Some(labels) = self.labels.take() {
            histogram!("clinic_http_request_duration_seconds", &labels)
                .record(self.started.elapsed().as_secs_f64());
        }
    }
}

/// Methods outside the usual few share one label, so made-up methods cannot make new series.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Where `/metrics` is served, from the configuration.
#[derive(Clone, Default)]
pub enum Exposure {
    /// Not at all.
    #[default]
    Off,
    /// On its own listener at this address (`CLINIC_METRICS_ADDR`).
    Address(std::net::SocketAddr),
    /// On the main address, to requests bearing this token (`CLINIC_METRICS_TOKEN`).
    Token(String),
}

/// The `/metrics` route over `pool`, for the separate listener (no token: the address is the
/// protection).
pub fn router(pool: PgPool) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(pool)
}

/// What the main router serves of `/metrics`: the route behind the token when one is
/// configured, nothing otherwise.
pub fn routes<S>(exposure: &Exposure) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
{
    match exposure {
        Exposure::Token(token) => Router::new().route("/metrics", get(render)).route_layer(
            middleware::from_fn_with_state(std::sync::Arc::new(token.clone()), require_token),
        ),
        Exposure::Off | Exposure::Address(_) => Router::new(),
    }
}

/// Starts what `serve` needs for `/metrics`: the recorder, its upkeep and, when configured, the
/// separate listener (bound now, so a taken address stops the start with a clear message).
pub async fn start(exposure: &Exposure, pool: PgPool) -> anyhow::Result<()> {
    use anyhow::Context;
    recorder();
    spawn_upkeep();
    match exposure {
        Exposure::Address(addr) => {
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
                format!("could not listen for /metrics on {addr} (set CLINIC_METRICS_ADDR to another address)")
            })?;
            tracing::info!(%addr, "metrics: /metrics served on its own address");
            spawn_listener(listener, pool);
        }
        Exposure::Token(_) => {
            tracing::info!("metrics: /metrics served on the main address to the bearer token")
        }
        Exposure::Off => tracing::info!(
            "metrics: /metrics is off (set CLINIC_METRICS_ADDR or CLINIC_METRICS_TOKEN)"
        ),
    }
    Ok(())
}

async fn require_token(
    State(token): State<std::sync::Arc<String>>,
    request: Request,
    next: Next,
) -> Response {
    if bears(request.headers(), &token) {
        return next.run(request).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
        "a bearer token is required\n",
    )
        .into_response()
}

/// Whether the request's `Authorization: Bearer ...` is `token`, compared in constant time so
/// the answer's timing says nothing about how much of a guess was right.
fn bears(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    let (given, token) = (given.trim().as_bytes(), token.as_bytes());
    given.len() == token.len()
        && given
            .iter()
            .zip(token)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Serves `/metrics` on `listener` until the process ends.
pub fn spawn_listener(
    listener: tokio::net::TcpListener,
    pool: PgPool,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    tokio::spawn(crate::edge::connections::serve(
        listener,
        router(pool),
        std::future::pending::<()>(),
    ))
}

/// The scrape: the pool and the outbox read now, then everything rendered.
async fn render(State(pool): State<PgPool>) -> Response {
    record_pool(&pool);
    if let Err(err) = record_outbox(&pool).await {
        // The figures keep their last values; the rest of the scrape is still worth having.
        tracing::warn!(error = %err, "metrics: could not read the outbox");
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        recorder().render(),
    )
        .into_response()
}

fn record_pool(pool: &PgPool) {
    let open = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    gauge!("clinic_db_pool_connections", "state" => "in_use").set((open - idle).max(0.0));
    gauge!("clinic_db_pool_connections", "state" => "idle").set(idle);
    gauge!("clinic_db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));
}

async fn record_outbox(pool: &PgPool) -> anyhow::Result<()> {
    // One statement; each part is read through the outbox's partial index on its rows (the
    // mail being sent, the mail parked), never through the month of delivered mail.
    let query = sqlx::query_as::<_, (i64, f64, i64)>(
        "SELECT count(*),
                COALESCE(EXTRACT(EPOCH FROM now() - min(created_at))::float8, 0),
                (SELECT count(*) FROM email_outbox WHERE failed_at IS NOT NULL)
           FROM email_outbox
          WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(pool);
    let (unsent, oldest, undeliverable) =
        tokio::time::timeout(DATABASE_PATIENCE, query)
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {DATABASE_PATIENCE:?}"))??;
    gauge!("clinic_outbox_unsent").set(unsent as f64);
    gauge!("clinic_outbox_oldest_unsent_age_seconds").set(oldest.max(0.0));
    gauge!("clinic_outbox_undeliverable").set(undeliverable as f64);
    Ok(())
}

/// One run of a background job, recorded when it ends.
pub struct JobRun {
    job: &'static str,
    started: Instant,
}

impl JobRun {
    pub fn start(job: &'static str) -> Self {
        Self {
            job,
            started: Instant::now(),
        }
    }

    /// Records the run's end: its time, its duration, and whether it failed.
    pub fn finish(self, succeeded: bool) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |since| since.as_secs_f64());
        counter!("clinic_job_runs_total", "job" => self.job).increment(1);
        gauge!("clinic_job_last_run_timestamp_seconds", "job" => self.job).set(now);
        gauge!("clinic_job_last_duration_seconds", "job" => self.job)
            .set(self.started.elapsed().as_secs_f64());
        // Touched every run, so "no failures" reads 0 rather than nothing.
        counter!("clinic_job_failures_total", "job" => self.job).increment(u64::from(!succeeded));
        if succeeded {
            gauge!("clinic_job_last_success_timestamp_seconds", "job" => self.job).set(now);
        }
    }
}

/// Records one run of the retention step `step`: the rows it removed, or that it failed.
pub fn retention_step(step: &'static str, outcome: &Result<u64, sqlx::Error>) {
    counter!("clinic_retention_runs_total", "step" => step).increment(1);
    // Both series are touched every run, so "no failures" reads 0 rather than nothing.
    let (rows, failed) = match outcome {
        Ok(rows) => (*rows, 0),
        Err(_) => (0, 1),
    };
    counter!("clinic_retention_rows_total", "step" => step).increment(rows);
    counter!("clinic_retention_failures_total", "step" => step).increment(failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_token_passes() {
        let mut headers = HeaderMap::new();
        assert!(!bears(&headers, "s3cret-token-of-some-length"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cret-token-of-some-length"),
        );
        assert!(bears(&headers, "s3cret-token-of-some-length"));
        assert!(!bears(&headers, "s3cret-token-of-some-lengtH"));
        assert!(!bears(&headers, "s3cret-token-of-some-length-and-more"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic s3cret-token-of-some-length"),
        );
        assert!(!bears(&headers, "s3cret-token-of-some-length"));
    }

    #[test]
    fn status_classes_and_methods_are_few() {
        assert_eq!(status_class(StatusCode::OK), "2xx");
        assert_eq!(status_class(StatusCode::SEE_OTHER), "3xx");
        assert_eq!(status_class(StatusCode::NOT_FOUND), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
        let made_up = axum::http::Method::from_bytes(b"BREW").expect("method");
        assert_eq!(method_label(&made_up), "other");
    }
}
