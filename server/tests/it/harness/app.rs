//! The app under test: its router over a test database, called in process (no network) or
//! served on a loopback port as `server serve` serves it, and the requests tests make of it,
//! typed: sign in, post a form, get a page, call a server function.
//!
//! `TestApp::new` builds the router the way `server serve` does. The free functions (`post`,
//! `get`, `sign_in`) build a fresh one for every request, as the tests always have: nothing
//! held in a router (the payment sandbox, the page cache) carries from one request to the next.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use tokio::net::TcpListener;
use tower::ServiceExt;

use server::config::Config;
use server::{edge, http};

use super::builders::PASSWORD;
use super::database::TestDb;

/// The configuration the tests run the app with.
pub fn config() -> Config {
    Config {
        database_url: None,
        redis_url: None,
        data_dir: ".local".into(),
        addr: "127.0.0.1:0".parse().expect("address"),
        site_root: "target/site".to_owned(),
        public_url: None,
        time_zone: chrono_tz::Europe::London,
        smtp_url: None,
        mail_from: "Clinic <no-reply@clinic.example>".to_owned(),
        session_idle_minutes: 120,
        session_absolute_hours: 12,
        session_remember_days: 30,
        db_max_connections: 4,
        booking_notice_minutes: 120,
        slot_horizon_days: 180,
        payment_hold_minutes: 15,
        free_cancellation_hours: 24,
        late_refund_percent: 50,
        max_wallet_amount: app::domain::Money::parse("10000").expect("amount"),
        // Tests read what they just wrote; the cache has its own test.
        page_cache_ms: 0,
        trusted_proxies: Default::default(),
        max_body_kb: 64,
        request_timeout_secs: 30,
        rate_limits: true,
        max_unpaid_holds: 2,
        payments: None,
        operations: Default::default(),
        retention: Default::default(),
    }
}

/// The app's router, called in process. Clones share the router (its payment sandbox and page
/// cache), as requests to one server do.
#[derive(Clone)]
pub struct TestApp {
    router: Router,
}

impl From<Router> for TestApp {
    /// The app as `router` serves it (a router built with another configuration, say).
    fn from(router: Router) -> Self {
        Self { router }
    }
}

impl TestApp {
    /// The app over `db` with the tests' [`config`].
    pub fn new(db: &TestDb) -> Self {
        Self::from(http::router(&config(), db.pool.clone()))
    }

    /// Serves the app on a free loopback port, as `server serve` does, and returns the address.
    pub async fn serve(self) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(edge::connections::serve(
            listener,
            self.router,
            std::future::pending::<()>(),
        ));
        addr
    }

    /// Sends `request` and returns the answer.
    pub async fn send(&self, request: Request<Body>) -> Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("response")
    }

    /// Posts the form `body` to `path` with the `extra` headers.
    pub async fn post(&self, path: &str, body: &str, extra: &[(&str, &str)]) -> Response {
        let mut request =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body.to_owned())).expect("request"))
            .await
    }

    /// A GET with an optional cookie: status, headers, body.
    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::get(uri);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .send(request.body(Body::empty()).expect("request"))
            .await;
        let (status, headers) = (response.status(), response.headers().clone());
        let body = axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024)
            .await
            .expect("body");
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    /// Signs `username` in (password [`PASSWORD`]) and returns the cookie header value.
    pub async fn sign_in_as(&self, username: &str) -> String {
        let response = self
            .post(
                "/api/sign-in",
                &format!("identifier={username}&password={PASSWORD}"),
                &[],
            )
            .await;
        let status = response.status();
        let cookie = session_cookie(&response);
        let body = body_text(response).await;
        assert_eq!(status, StatusCode::OK, "sign-in of {username}: {body}");
        format!("clinic_session={}", cookie.expect("a session cookie"))
    }

    /// Books `slot` over HTTP as the holder of `cookie`, under `request_key`: the status and the
    /// answer's JSON.
    pub async fn book(&self, cookie: &str, slot: i64, request_key: &str) -> (StatusCode, Value) {
        self.call(
            cookie,
            "/api/booking/book",
            format!("slot_id={slot}&request_key={request_key}"),
        )
        .await
    }

    /// Posts the form `body` to the server function at `path` as the holder of `cookie`: the
    /// status and the answer's JSON (`null` when it is not JSON).
    pub async fn call(&self, cookie: &str, path: &str, body: String) -> (StatusCode, Value) {
        let response = self
            .post(path, &body, &[(header::COOKIE.as_str(), cookie)])
            .await;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

/// Posts the form `body` to `path` with the `extra` headers, to a fresh app over `db`.
pub async fn post(db: &TestDb, path: &str, body: &str, extra: &[(&str, &str)]) -> Response {
    TestApp::new(db).post(path, body, extra).await
}

/// A GET with an optional cookie to a fresh app over `db`: status, headers, body.
pub async fn get(db: &TestDb, uri: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
    TestApp::new(db).get(uri, cookie).await
}

/// Signs `username` in (password [`PASSWORD`]) to a fresh app over `db`; returns the cookie
/// header value.
pub async fn sign_in(db: &TestDb, username: &str) -> String {
    TestApp::new(db).sign_in_as(username).await
}

/// The value of the session cookie a response sets, if any.
pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("clinic_session="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
}

/// The body of `response` as text (at most 1 MiB).
pub async fn body_text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    String::from_utf8_lossy(&bytes).into_owned()
}
