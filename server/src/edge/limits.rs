//! Limits on what one request may cost: the size of its body and the time it takes.
//!
//! Server functions read the raw request, so no extractor's limit protects them: without this
//! a 200 MB POST was read whole into memory. Bodies are read here, up to the limit and within
//! the request's time, before the application sees them; a declared `Content-Length` over the
//! limit is refused before a byte of the body is read. (Header size and the time to send the
//! headers are limited per connection, in `connections`.)

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio::time::{Instant, timeout_at};

use app::domain::AppError;

pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
}

pub async fn enforce(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Response {
    let deadline = Instant::now() + limits.request_timeout;
    let is_api = super::is_api(request.uri().path());
    let request = match read_body(request, limits.max_body_bytes, deadline).await {
        Ok(request) => request,
        Err((status, message)) => {
            return super::refusal(is_api, status, &AppError::validation("", message));
        }
    };
    let path = request.uri().path().to_owned();
    match timeout_at(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            // Dropping the handler rolls back any transaction it had open.
            let error = AppError::internal(format_args!(
                "{path} took longer than {:?} and was stopped",
                limits.request_timeout
            ));
            super::refusal(is_api, StatusCode::SERVICE_UNAVAILABLE, &error)
        }
    }
}

/// The request with its body read into memory, or the status and message that refuse it.
async fn read_body(
    request: Request,
    max: usize,
    deadline: Instant,
) -> Result<Request, (StatusCode, String)> {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "This request is larger than the {} KB the server accepts.",
                max / 1024
            ),
        )
    };
    match declared_length(request.headers()) {
        Declared::Invalid => {
            return Err((
                StatusCode::BAD_REQUEST,
                "The request's Content-Length is not a number.".to_owned(),
            ));
        }
        Declared::Length(0) => return Ok(request),
        Declared::Length(length) if length > max as u64 => return Err(too_large()),
        Declared::Length(_) => {}
        // Without a length and without chunks there is no body to read.
        Declared::None if !request.headers().contains_key(header::TRANSFER_ENCODING) => {
            return Ok(request);
        }
        Declared::None => {}
    }
    let (parts, body) = request.into_parts();
    let collected = timeout_at(deadline, Limited::new(body, max).collect()).await;
    match collected {
        Ok(Ok(collected)) => Ok(Request::from_parts(parts, Body::from(collected.to_bytes()))),
        Ok(Err(err)) if err.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err((
            StatusCode::BAD_REQUEST,
            "The request's body could not be read.".to_owned(),
        )),
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            "The request's body did not arrive in time.".to_owned(),
        )),
    }
}

enum Declared {
    None,
    Invalid,
    Length(u64),
}

fn declared_length(headers: &HeaderMap) -> Declared {
    match headers.get(header::CONTENT_LENGTH) {
        None => Declared::None,
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .map_or(Declared::Invalid, Declared::Length),
    }
}
