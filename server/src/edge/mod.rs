//! The edge of the server, in one place: what every request passes before the application
//! sees it. Body, header and time limits; a panic answered as a page instead of a dropped
//! connection; security headers; cross-site requests refused; and the client's address, read
//! through trusted proxies only.

pub mod client_address;
pub mod connections;
mod cross_origin;
mod limits;
mod panics;
pub mod reactive_owner;
pub mod security_headers;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use app::domain::AppError;

pub use client_address::TrustedProxies;

/// The limits and rules of the edge, from the configuration.
#[derive(Debug, Clone)]
pub struct EdgeSettings {
    /// The largest request body read; larger ones are answered 413 unread.
    pub max_body_bytes: usize,
    /// How long a request may take, from its first byte of body to its answer's headers.
    pub request_timeout: Duration,
    /// `scheme://host[:port]` people use; cross-site requests are told apart by it.
    pub public_origin: String,
    /// Whether the site is served over HTTPS (then browsers are told to keep to it: HSTS).
    pub https: bool,
    /// The proxies whose word on the client's address is taken.
    pub trusted_proxies: TrustedProxies,
}

/// `app` inside the edge's layers. The first layer a request meets is listed last.
pub fn wrap(app: Router, settings: &EdgeSettings) -> Router {
    let limits = Arc::new(limits::Limits {
        max_body_bytes: settings.max_body_bytes,
        request_timeout: settings.request_timeout,
    });
    app.layer(middleware::from_fn_with_state(
        Arc::new(settings.trusted_proxies.clone()),
        client_address::remember,
    ))
    .layer(middleware::from_fn_with_state(
        Arc::new(settings.public_origin.clone()),
        cross_origin::refuse,
    ))
    .layer(middleware::from_fn_with_state(limits, limits::enforce))
    .layer(middleware::from_fn(panics::answer_with_a_page))
    .layer(middleware::from_fn_with_state(
        settings.https,
        security_headers::add,
    ))
    .layer(PropagateRequestIdLayer::x_request_id())
    .layer(TraceLayer::new_for_http().make_span_with(
        |request: &axum::http::Request<_>| {
            let request_id = request
                .headers()
                .get("x-request-id")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-");
            // The path only: query strings can carry codes (invitation links) and search terms,
            // which have no place in a log.
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
        },
    ))
    .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// An answer the edge gives itself. Server functions get the JSON error their callers read
/// (so the page shows the message); everything else a small page a person can read.
pub(crate) fn refusal(is_api: bool, status: StatusCode, error: &AppError) -> Response {
    if is_api {
        let body = serde_json::to_string(error).unwrap_or_else(|_| "{}".to_owned());
        return (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
    }
    let message = app::domain::text::escape_html(&error.to_string());
    let title = status.canonical_reason().unwrap_or("Error");
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Clinic</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><main id=\"main\" class=\"site-main\"><section class=\"container section narrow\">\
         <div class=\"panel\"><p class=\"eyebrow\">{code}</p><h1>{title}</h1><p>{message}</p>\
         <a class=\"btn btn-primary\" href=\"/\">Home page</a></div></section></main></body></html>\n",
        css = crate::static_files::stylesheet_href(),
        code = status.as_u16(),
    );
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page,
    )
        .into_response()
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}
