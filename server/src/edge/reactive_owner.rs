//! Each request's reactive root: the owner under which Leptos builds a server function's (and
//! the fallback's) reactive state is one the request itself holds until it has answered.
//!
//! Leptos 0.8 gives a server function's owner the worker thread's *current* owner as its parent
//! (`Owner::new()`), and a context that owner lacks is looked up through its parents
//! (`use_context`, e.g. the page nonce `security_headers::provide_page_policy` asks for). Under
//! the benchmark's mixed load a worker thread hung for good inside such a look-up: the parent
//! it reached belonged to a request that had just ended, the look-up's own reference was that
//! owner's last, and dropping it there cleans up its children, the looking owner among them,
//! whose read lock the look-up still held (reactive_graph 0.2.16, `Owner::with_context`). The
//! instance then served on one thread and never finished shutting down. Under a root held
//! here, a request's owners only ever reach owners that outlive their look-ups.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::Owner;
use leptos::reactive::computed::ScopedFuture;

/// Runs the rest of the request under a fresh root owner (no parent, no shared context).
pub async fn own(request: Request, next: Next) -> Response {
    let root = Owner::new_root(None);
    // The scoped future keeps `root` alive and current whenever the request is polled.
    root.with(|| ScopedFuture::new_untracked(next.run(request)))
        .await
}
