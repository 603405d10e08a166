//! Accepting connections: HTTP/1.1 with a bound on the header size and on the time a client
//! may take to send its headers, so a slow or oversized request head cannot hold a connection
//! (and its memory) open. `axum::serve` sets neither.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// A request head (request line and headers) larger than this is answered
/// `431 Request Header Fields Too Large`.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// The most header lines in one request.
pub const MAX_HEADERS: usize = 64;
/// A client must send a request's head within this long (this also ends idle keep-alive
/// connections).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(15);
/// How long in-flight requests may run on after a shutdown signal, unless told otherwise.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(20);

/// Serves `router` on `listener` until `shutdown` resolves, then lets the requests in flight
/// finish (for at most `DRAIN_TIMEOUT`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_draining(listener, router, shutdown, DRAIN_TIMEOUT).await
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops listening (new
/// connections are refused), lets the requests in flight finish for at most `grace`, and ends
/// each connection as its request is answered.
pub async fn serve_draining(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(err) => {
                    tracing::warn!(%err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Streamed pages go out in several writes. With Nagle's algorithm on, a later write
        // waits for the client's delayed acknowledgement of the first (40 ms on Linux), which
        // set a floor of about 44 ms under every streamed page however little work it took.
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(%err, "could not set TCP_NODELAY on a connection");
        }
        // Every request of the connection carries the peer's address.
        let router = router.clone();
        let service = TowerToHyperService::new(tower::service_fn(
            move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(request.map(axum::body::Body::new))
            },
        ));
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEAD_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES)
            .max_headers(MAX_HEADERS)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%err, "a connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some requests were still running after {grace:?}; stopping anyway");
    }
    Ok(())
}
