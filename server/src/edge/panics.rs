//! A panic in a handler is a bug of ours; the person still gets an answer. Without this the
//! connection was dropped with no answer at all (the sign-in with `next=/%01`).

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::FutureExt;

use app::domain::AppError;

/// Runs the request; a panic becomes a 500 page (or server-function error) carrying the
/// request's reference, which is also in the log beside the panic's message.
pub async fn answer_with_a_page(request: Request, next: Next) -> Response {
    let is_api = super::is_api(request.uri().path());
    let path = request.uri().path().to_owned();
    let reference = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(short_reference)
        .unwrap_or_default();
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned());
            tracing::error!(%reference, %path, panic = %message, "a handler panicked");
            super::refusal(
                is_api,
                StatusCode::INTERNAL_SERVER_ERROR,
                &AppError::Internal { reference },
            )
        }
    }
}

/// The first block of the request id: short enough to read out, and found in the log with the
/// whole id.
fn short_reference(request_id: &str) -> String {
    request_id
        .split('-')
        .next()
        .unwrap_or(request_id)
        .to_owned()
}
