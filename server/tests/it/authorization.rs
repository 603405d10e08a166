//! The authorization matrix: every registered server function is called over HTTP, through the
//! real router, as a visitor, an unverified patient, a patient, a doctor and an admin, and
//! answers with the status the matrix expects, other people's objects included. A call that is
//! refused (any status but 200) must change nothing. A server function with no row in the
//! matrix fails the test: adding one means adding its row to `matrix()` in `harness/matrix.rs`.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, header};

use crate::harness::{
    CALLERS, TestApp, TestDb, body_text, fingerprint, fixture, matrix, registered, session_cookie,
    sign_in,
};

/// Calls one server function the way the browser does and returns its status, body and any
/// session cookie it set.
async fn call(
    db: &TestDb,
    method: &Method,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> (u16, String, Option<String>) {
    let request = if *method == Method::GET {
        Request::get(format!("{path}?{body}")).body(Body::empty())
    } else {
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
    };
    let mut request = request.expect("request");
    if let Some(cookie) = cookie {
        request.headers_mut().insert(
            header::COOKIE,
            cookie.parse().expect("a cookie header value"),
        );
    }
    let response = TestApp::new(db).send(request).await;
    let status = response.status().as_u16();
    let set = session_cookie(&response);
    (status, body_text(response).await, set)
}

#[test]
fn every_server_function_has_a_row_in_the_matrix() {
    let registered: BTreeSet<String> = registered().into_iter().map(|(path, _)| path).collect();
    assert!(
        registered.len() >= 40,
        "the registry looks empty: {registered:?}"
    );
    let covered: BTreeSet<String> = matrix()
        .iter()
        .map(|row| format!("/api/{}", row.path))
        .collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions without a row in the authorization matrix (add one to matrix() in \
         server/tests/it/harness/matrix.rs): {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "matrix rows for server functions that do not exist: {stale:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_allows_and_refuses_as_the_matrix_says() {
    let db = TestDb::new().await;
    let fixture = fixture(&db).await;
    let methods: std::collections::HashMap<String, Method> = registered().into_iter().collect();
    let mut cookies: Vec<Option<String>> = Vec::new();
    for caller in CALLERS {
        cookies.push(match caller.username() {
            Some(name) => Some(sign_in(&db, name).await),
            None => None,
        });
    }
    let mut wrong = Vec::new();
    for row in matrix() {
        let path = format!("/api/{}", row.path);
        let method = methods
            .get(&path)
            .unwrap_or_else(|| panic!("{path} is not a registered server function"));
        for (i, caller) in CALLERS.into_iter().enumerate() {
            let body = (row.body)(&fixture, caller);
            let before = fingerprint(&db).await;
            let (status, text, set_cookie) =
                call(&db, method, &path, &body, cookies[i].as_deref()).await;
            if status != row.expect[i] {
                wrong.push(format!(
                    "{path} ({}) as {caller:?}: expected {}, got {status}: {}",
                    row.about,
                    row.expect[i],
                    text.chars().take(200).collect::<String>()
                ));
            }
            if status != 200 {
                let changed = before.forbidden_changes(&fingerprint(&db).await, &path);
                if !changed.is_empty() {
                    wrong.push(format!(
                        "{path} ({}) as {caller:?} answered {status} but changed {changed:?}",
                        row.about
                    ));
                }
            }
            // Signing in, registering, signing out or a new password replace the caller's
            // session; sign in again so the next row is called as the same person.
            if let (Some(name), Some(current)) = (caller.username(), cookies[i].as_deref())
                && set_cookie.is_some_and(|set| format!("clinic_session={set}") != current)
            {
                cookies[i] = Some(sign_in(&db, name).await);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} calls answered unlike the matrix or changed data:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // The patient's review went in, and the other patient's review is unchanged.
    let comments: Vec<(i64, String)> =
        sqlx::query_as("SELECT patient_id, comment FROM reviews ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .expect("reviews");
    assert!(comments.contains(&(fixture.other_patient, "Fine".to_owned())));
    assert!(comments.contains(&(fixture.patient, "Kind".to_owned())));
}
