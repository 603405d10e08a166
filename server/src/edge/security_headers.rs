//! Security headers on every answer, and the content security policy pages run under.
//!
//! Pages carry a policy with the nonce Leptos puts on its own scripts (the hydration loader
//! and the streamed resource chunks), so no other inline script runs: an injected
//! `<script>` is inert even if some text escaped its escaping. Everything else (server
//! functions, files, errors) gets the same policy without a nonce.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::use_context;

/// The policy with `script_source` as where scripts may come from. WASM needs
/// `'wasm-unsafe-eval'` to be compiled; style attributes (bar widths) need inline styles,
/// but style elements and sheets come only from this site.
fn policy(script_source: &str) -> String {
    // A development build (`cargo leptos watch`) reloads pages over a websocket on another port.
    let connect = if cfg!(debug_assertions) {
        "'self' ws:"
    } else {
        "'self'"
    };
    format!(
        "default-src 'self'; script-src {script_source} 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         font-src 'self'; connect-src {connect}; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'; object-src 'none'"
    )
}

/// For a page being rendered: puts the policy with this render's nonce on its answer. Called
/// in the context every page render starts with.
pub fn provide_page_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&policy(&format!("'self' 'nonce-{nonce}'"))) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

pub async fn add(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&policy("'self'"))
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Same-site requests keep their referrer (a form without JavaScript is sent back to
        // the page it came from); other sites never see our URLs, which can carry codes.
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}
