//! Whether the database answers, watched once a second, so that while it is away (a restart, a
//! failover) every page and server function answers at once with 503 and a page that says so,
//! instead of each waiting for the pool's timeout and failing its own way. When the database is
//! back, the next probe says so and the instance serves again by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgPool;

use app::domain::AppError;

/// How often the database is asked, and how long an answer may take.
const PROBE_EVERY: Duration = Duration::from_secs(1);
const PROBE_PATIENCE: Duration = Duration::from_secs(2);
/// What a browser or client is told to wait before trying again.
const RETRY_AFTER_SECS: u32 = 5;

/// The last probe's verdict. Starts up: the server has just connected and migrated.
pub struct Availability {
    up: AtomicBool,
}

impl Availability {
    pub fn up(&self) -> bool {
        self.up.load(Ordering::SeqCst)
    }

    fn set(&self, up: bool) {
        let was = self.up.swap(up, Ordering::SeqCst);
        match (was, up) {
            (true, false) => {
                tracing::error!("the database does not answer; answering 503 until it does")
            }
            (false, true) => tracing::info!("the database answers again"),
            _ => {}
        }
    }
}

/// Starts probing `pool` for as long as the server runs.
pub fn watch(pool: PgPool) -> Arc<Availability> {
    let availability = Arc::new(Availability {
        up: AtomicBool::new(true),
    });
    let watcher = availability.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(PROBE_EVERY).await;
            let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&pool);
            let up = matches!(tokio::time::timeout(PROBE_PATIENCE, probe).await, Ok(Ok(_)));
            watcher.set(up);
        }
    });
    availability
}

/// The middleware: while the database is away, answers 503 (with `Retry-After`) before the
/// request reaches anything that needs it. The probes, `/metrics` and the bundle's files pass.
pub async fn gate(
    State(availability): State<Arc<Availability>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    // /metrics is most wanted while the database is away; it says what it could not read.
    let needs_database =
        !matches!(path, "/healthz" | "/readyz" | "/metrics") && !path.starts_with("/pkg/");
    if availability.up() || !needs_database {
        return next.run(request).await;
    }
    unavailable(path.starts_with("/api/"))
}

/// The answer while the database is away: the page (or, for a server function, the typed
/// error) that says so, and when to try again.
fn unavailable(is_api: bool) -> Response {
    let mut response = crate::edge::refusal(
        is_api,
        StatusCode::SERVICE_UNAVAILABLE,
        &AppError::Unavailable,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}

/// tower-sessions answers a bare 500 (no body, no type) when it cannot save a session, and it
/// can only fail that way when its store, the database, is away (it logs "failed to save
/// session"). Placed just outside the session layer, this turns that answer into the 503 the
/// gate gives, which says what happened and that trying again works. The app's own 500s always
/// carry a page or a typed error, so they pass unchanged.
pub async fn session_store_away(request: Request, next: Next) -> Response {
    use axum::body::HttpBody;
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let bare_500 = response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && !response.headers().contains_key(header::CONTENT_TYPE)
        && response.body().size_hint().exact() == Some(0);
    if bare_500 {
        unavailable(is_api)
    } else {
        response
    }
}
