//! Refuses state-changing requests that another site's page sent (cross-site request forgery).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Browsers say where a request comes from in `Sec-Fetch-Site`, and older ones in `Origin`;
/// a request with neither (curl, a server) has no victim's cookies to abuse and passes.
pub async fn refuse(
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
        tracing::warn!(method = %request.method(), path = %request.uri().path(), "refused a cross-origin request");
        (
            StatusCode::FORBIDDEN,
            "Requests from other sites are not accepted.\n",
        )
            .into_response()
    }
}
