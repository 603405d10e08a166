//! The HTTP surface: the Leptos pages and server functions, static files, `/healthz`,
//! `/readyz` and (behind its token) `/metrics`, inside the edge (`edge`) that every request passes first.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sqlx::PgPool;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use app::api::caller::{PageViewer, user_in_session};
use app::domain::wallet::CardPayments;
use app::services::ClinicSettings;
use app::services::gateway::{Gateway, NoCardPayments, SandboxGateway};
use app::{App, OUTPUT_NAME, shell};

use crate::availability::Availability;
use crate::config::Config;
use crate::page_cache::PageCache;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub settings: ClinicSettings,
}

/// The whole application as one axum router, with the card gateway the configuration names.
pub fn router(config: &Config, pool: PgPool) -> Router {
    router_with_gateway(config, pool, gateway_for(config))
}

/// The card gateway the configuration names. A real provider's adapter is chosen here.
/// `serve` refuses to start when the choice is not right for the address (the sandbox on https
/// without asking for it); anything that builds one without that check gets no card payments
/// rather than free money.
pub fn gateway_for(config: &Config) -> Gateway {
    Gateway(match config.card_payments() {
        Ok(CardPayments::Sandbox) => Arc::new(SandboxGateway::default()),
        Ok(CardPayments::Off) | Err(_) => Arc::new(NoCardPayments),
    })
}

/// The application with `gateway` (the one the housekeeping's reconciliation asks too).
pub fn router_with_gateway(config: &Config, pool: PgPool, gateway: Gateway) -> Router {
    let leptos_options = leptos_options(config);
    let settings = config.clinic_settings();
    // What server functions and pages find in their context.
    let context = {
        let pool = pool.clone();
        let settings = settings.clone();
        move || {
            provide_context(pool.clone());
            provide_context(settings.clone());
            provide_context(gateway.clone());
            crate::edge::security_headers::provide_page_policy();
        }
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        pool,
        settings,
    };
    let routes = generate_route_list(App);
    let redis = config.redis_url.as_deref().and_then(|url| {
        crate::redis::Redis::connect(url)
            .inspect_err(|err| tracing::error!(%err, "going on without Redis"))
            .ok()
    });
    if let Some(redis) = &redis {
        app::services::shared_state::install(Arc::new(crate::shared_state::ThroughRedis {
            redis: Arc::clone(redis),
        }));
    }
    let store =
        crate::sessions::Sessions::new(PostgresStore::new(state.pool.clone()), redis.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name("clinic_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        // Visitors' sessions (before sign-in) end with the browser; sign-in sets its own.
        .with_expiry(Expiry::OnSessionEnd);
    let page_cache = PageCache::new(Duration::from_millis(config.page_cache_ms), redis);
    if page_cache.enabled() {
        crate::page_cache::listen(page_cache.clone(), state.pool.clone());
    }

    let availability = crate::availability::watch(state.pool.clone());
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .layer(Extension(availability.clone()))
        .merge(crate::monitoring::routes(&config.operations.metrics()))
        .merge(crate::exports::routes())
        .merge(crate::static_files::routes(&config.site_root))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(crate::edge::reactive_owner::own))
        .layer(middleware::from_fn(error_statuses))
        .layer(middleware::from_fn(tidy_api_answers))
        .layer(middleware::from_fn_with_state(state.clone(), page_viewer))
        .layer(sessions)
        .layer(middleware::from_fn(crate::availability::session_store_away))
        .layer(middleware::from_fn_with_state(
            page_cache,
            crate::page_cache::serve,
        ))
        .layer(middleware::from_fn_with_state(
            availability,
            crate::availability::gate,
        ))
        // The WASM bundle shrinks to a third with brotli; browsers always ask for it. The
        // encoder's own default (brotli's quality 11) spends many milliseconds of CPU on every
        // page and the bundle's every download; level 4 costs about what gzip does and still
        // compresses better.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .with_state(state);
    // Outermost, so every answer is counted (the edge's refusals, cached pages, 503s).
    crate::monitoring::recorder();
    crate::edge::wrap(app, &config.edge_settings())
        .layer(middleware::from_fn(crate::monitoring::measure))
}

/// The app's pages: the path pattern of each route in its route table, in order.
pub fn page_routes() -> Vec<String> {
    generate_route_list(App)
        .into_iter()
        .map(|route| route.path().to_owned())
        .collect()
}

/// Looks up who is signed in before a page renders and puts it into the request
/// ([`PageViewer`]), with the notice a plain form post left for this page, so the page's
/// header and sign-in gates render whole on the server without waiting on anything (see
/// `app::components::viewer` and `app::api::notice`). Server functions and the bundle's files
/// look the session up themselves, or need nobody.
async fn page_viewer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_page = matches!(*request.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/");
    if is_page && let Some(session) = request.extensions().get::<Session>().cloned() {
        let user = match user_in_session(&session, &state.pool, &state.settings).await {
            Ok(user) => user,
            Err(err) => {
                // The page renders for a visitor; what it needs from the database will say
                // what is wrong more precisely than this could.
                tracing::warn!(%err, "could not tell who is signed in");
                None
            }
        };
        let signed_in = user.is_some();
        request.extensions_mut().insert(PageViewer(user));
        let notice = app::api::notice::take(&session).await;
        request
            .extensions_mut()
            .insert(app::api::notice::PageNotice(notice));
        let mut response = next.run(request).await;
        // A page is asked for again on every visit (it names the current bundle, shows the
        // current times); a signed-in person's is theirs alone, kept by no browser or proxy.
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(header::HeaderValue::from_static(if signed_in {
                "private, no-store"
            } else {
                "no-cache"
            }));
        return response;
    }
    next.run(request).await
}

/// Server functions' answers: never kept by a browser or proxy, and a plain form post (no
/// bundle) sent back to its page by its own address. (Leptos strips the error parameters of an
/// earlier try from that address but leaves a bare `?` behind, as in `/wallet?`; the address
/// the person sees, bookmarks and shares should be the page's own.)
async fn tidy_api_answers(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if !is_api {
        return response;
    }
    // A server function answers for one person at one moment; the read-only ones are GETs,
    // which browsers and proxies would otherwise be free to keep.
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(header::HeaderValue::from_static("no-store"));
    if response.status().is_redirection()
        && let Some(location) = response.headers().get(header::LOCATION)
        && let Ok(text) = location.to_str()
        && let Some(tidy) = text.strip_suffix('?')
        && let Ok(tidy) = header::HeaderValue::from_str(tidy)
    {
        response.headers_mut().insert(header::LOCATION, tidy);
    }
    response
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

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        // Leptos names the hashed files in every page when the build hashed them; without
        // the hash file (tests, a plain cargo build) it names the plain ones.
        .hash_files(crate::static_files::hash_file().is_some())
        .env(if cfg!(debug_assertions) {
            Env::DEV
        } else {
            Env::PROD
        })
        .build()
}

/// 200 while the process serves requests, whatever the database does: what an orchestrator's
/// liveness probe should poll (restarting the instance would not bring the database back).
async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok\n")
}

/// 200 when this instance can serve: the database answers within two seconds and holds every
/// migration this binary knows. 503 with the reason otherwise: what a load balancer or an
/// orchestrator's readiness probe should poll.
async fn readyz(
    State(pool): State<PgPool>,
    Extension(availability): Extension<Arc<Availability>>,
) -> (StatusCode, String) {
    // While the database is known to be away, say so at once rather than wait for the pool to
    // give up connecting: a load balancer polls this often, and each poll would hang 2 s.
    if !availability.up() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable (the last probe got no answer)\n".to_owned(),
        );
    }
    let applied =
        sqlx::query_scalar::<_, i64>("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&pool);
    let applied = match tokio::time::timeout(Duration::from_secs(2), applied).await {
        Ok(Ok(applied)) => applied,
        Ok(Err(err)) => {
            tracing::warn!(%err, "readiness: the database did not answer");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable\n".to_owned(),
            );
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer within 2 s");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable\n".to_owned(),
            );
        }
    };
    let missing = crate::database::MIGRATOR
        .iter()
        .filter(|migration| !applied.contains(&migration.version))
        .count();
    if missing > 0 {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the database lacks {missing} of this version's migrations: run `server migrate`\n"
            ),
        );
    }
    (StatusCode::OK, "ready\n".to_owned())
}
