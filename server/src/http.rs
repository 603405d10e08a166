//! The HTTP surface: the Leptos pages and server functions, static files, and `/healthz`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, FromRef, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use app::services::ClinicSettings;
use app::services::gateway::{Gateway, SandboxGateway};
use app::{App, OUTPUT_NAME, shell};

use crate::config::Config;
use crate::page_cache::PageCache;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub settings: ClinicSettings,
}

/// The whole application as one axum router.
pub fn router(config: &Config, pool: PgPool) -> Router {
    let leptos_options = leptos_options(config);
    let settings = config.clinic_settings();
    let session_idle = settings.session_idle;
    // Card payments go to the sandbox; a real provider's adapter is swapped in here.
    let gateway = Gateway(Arc::new(SandboxGateway::default()));
    // What server functions and pages find in their context.
    let context = {
        let pool = pool.clone();
        let settings = settings.clone();
        move || {
            provide_context(pool.clone());
            provide_context(settings.clone());
            provide_context(gateway.clone());
        }
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        pool,
        settings,
    };
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(PostgresStore::new(state.pool.clone()))
        .with_name("clinic_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(session_idle));
    let own_origin = Arc::new(origin_of(&config.public_url()));
    let page_cache = PageCache::new(Duration::from_millis(config.page_cache_ms));

    Router::new()
        .route("/healthz", get(healthz))
        .route("/wallet/transactions.csv", get(crate::exports::wallet_csv))
        .route("/admin/users.csv", get(crate::exports::users_csv))
        .route("/admin/audit.csv", get(crate::exports::audit_csv))
        .route("/admin/doctors.csv", get(crate::exports::doctors_csv))
        .route("/admin/appointments.csv", get(crate::exports::appointments_csv))
        .route("/admin/payments.csv", get(crate::exports::payments_csv))
        .route("/admin/transactions.csv", get(crate::exports::transactions_csv))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .layer(middleware::from_fn(error_statuses))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(page_cache, crate::page_cache::serve))
        .layer(middleware::from_fn(remember_client_address))
        .layer(middleware::from_fn_with_state(own_origin, refuse_cross_origin))
        // The WASM bundle shrinks to a third with brotli; browsers always ask for it. The
        // encoder's own default (brotli's quality 11) spends many milliseconds of CPU on every
        // page and the bundle's every download; level 4 costs about what gzip does and still
        // compresses better.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let request_id = request
                .headers()
                .get("x-request-id")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => parsed.origin().ascii_serialization(),
        Err(_) => url.trim_end_matches('/').to_owned(),
    }
}

/// Refuses state-changing requests that another site's page sent (cross-site request forgery).
/// Browsers say where a request comes from in `Sec-Fetch-Site`, and older ones in `Origin`;
/// a request with neither (curl, a server) has no victim's cookies to abuse and passes.
async fn refuse_cross_origin(
    State(own_origin): State<Arc<String>>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let allowed = if let Some(site) = headers.get("sec-fetch-site") {
        matches!(site.as_bytes(), b"same-origin" | b"none")
    } else if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        origin == own_origin.as_str()
            || origin == format!("http://{host}")
            || origin == format!("https://{host}")
    } else {
        true
    };
    if allowed {
        next.run(request).await
    } else {
        tracing::warn!(method = %request.method(), uri = %request.uri(), "refused a cross-origin request");
        (
            StatusCode::FORBIDDEN,
            "Requests from other sites are not accepted.\n",
        )
            .into_response()
    }
}

/// Server functions answer every error with 500; give each the status that means the same
/// (422 for a rejected form, 401, 403, 404, 409, 429 with `Retry-After`), so clients, logs and
/// monitoring can tell a person's mistake from a fault of ours.
async fn error_statuses(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::domain::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let app::domain::AppError::RateLimited { retry_after_secs } = error {
            parts
                .headers
                .insert(header::RETRY_AFTER, retry_after_secs.into());
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Hands the peer's address to server functions (sign-in throttling counts per address).
async fn remember_client_address(mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        request
            .extensions_mut()
            .insert(app::api::auth::ClientAddress(peer.ip()));
    }
    next.run(request).await
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .env(if cfg!(debug_assertions) {
            Env::DEV
        } else {
            Env::PROD
        })
        .build()
}

/// 200 when the database answers within two seconds, 503 otherwise: what a load balancer or
/// an orchestrator should poll.
async fn healthz(State(pool): State<PgPool>) -> (StatusCode, &'static str) {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&pool);
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok\n"),
        Ok(Err(err)) => {
            tracing::warn!(%err, "health check: the database did not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
        Err(_) => {
            tracing::warn!("health check: the database did not answer within 2 s");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
