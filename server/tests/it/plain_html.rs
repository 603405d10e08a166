//! Plain HTML: what a browser gets before (or without) the bundle, with JavaScript off, still
//! loading, or on a page whose hydration failed. Pages are whole as the server sends them, and a
//! form post lands on a page that tells its true outcome, once. (The browser journeys are the
//! `no-javascript` Playwright project; these pin the server's side of it.)

use axum::http::{StatusCode, header};

use crate::harness::{TestApp, TestDb, World, key};

/// The headers a browser sends with a plain form post from `page`.
fn plain_form_from(page: &str) -> [(&'static str, String); 2] {
    [
        (
            header::ACCEPT.as_str(),
            "text/html,application/xhtml+xml".to_owned(),
        ),
        (header::REFERER.as_str(), format!("http://localhost{page}")),
    ]
}

async fn post_plain(
    app: &TestApp,
    cookie: &str,
    path: &str,
    body: &str,
    page: &str,
) -> (StatusCode, String) {
    let [accept, referer] = plain_form_from(page);
    let response = app
        .post(
            path,
            body,
            &[
                (header::COOKIE.as_str(), cookie),
                (accept.0, &accept.1),
                (referer.0, &referer.1),
            ],
        )
        .await;
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().expect("location").to_owned())
        .unwrap_or_default();
    (response.status(), location)
}

#[tokio::test]
async fn a_signed_in_page_names_the_person_in_its_html() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    w.patient("nora", "0.00").await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("nora").await;
    // Streamed in order, rendered whole, or behind sign-in: the header is in the HTML itself.
    for page in ["/", "/doctors", "/wallet", "/profile"] {
        let (status, headers, body) = app.get(page, Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        // Knowing who looks costs a read, never a session written back on every page.
        assert!(
            !headers.contains_key(header::SET_COOKIE),
            "{page} rewrote the session"
        );
        assert!(body.contains(">Ann Lee</a>"), "{page} does not name her");
        assert!(
            body.contains(">Sign out</button>"),
            "{page} offers no sign-out"
        );
        assert!(
            body.contains("href=\"/wallet\""),
            "{page} lacks the patient's links"
        );
    }
    let (_, _, visitor) = app.get("/", None).await;
    assert!(visitor.contains(">Sign in</a>") && !visitor.contains("Sign out"));
}

#[tokio::test]
async fn a_plain_booking_post_lands_on_its_confirmed_appointment() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    w.patient("nora", "200.00").await;
    let slot = w.slot(3, 10).await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("nora").await;
    let (status, location) = post_plain(
        &app,
        &cookie,
        "/api/booking/book",
        &format!("slot_id={slot}&request_key={}", key().as_str()),
        &format!("/book/{slot}"),
    )
    .await;
    let appointment: i64 = sqlx::query_scalar(
        "SELECT id FROM appointments WHERE time_slot_id = $1 AND status = 'confirmed'",
    )
    .bind(slot)
    .fetch_one(&db.pool)
    .await
    .expect("the booking is confirmed");
    // Not back to the booking page, where the slot it just took would show as taken.
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location, format!("/appointments/{appointment}"));
    let (status, _, page) = app.get(&location, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(">Confirmed</span>"),
        "the appointment page says confirmed"
    );
}

#[tokio::test]
async fn a_plain_cancel_post_shows_the_refund_once() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let nora = w.patient("nora", "200.00").await;
    let slot = w.slot(5, 10).await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("nora").await;
    let (status, booked) = app.book(&cookie, slot, key().as_str()).await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    let appointment = booked["Confirmed"]["appointment_id"]
        .as_i64()
        .expect("confirmed");
    let page = format!("/appointments/{appointment}");
    let (status, location) = post_plain(
        &app,
        &cookie,
        "/api/booking/cancel",
        &format!(
            "appointment_id={appointment}&expected_refund=80.00&request_key={}",
            key().as_str()
        ),
        &page,
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(
        location,
        format!("http://localhost{page}"),
        "back to the appointment, with no bare '?'"
    );
    let (_, _, first) = app.get(&page, Some(&cookie)).await;
    assert!(first.contains("Cancelled. $80.00 is back in your wallet."));
    assert!(first.contains(">Cancelled</span>"));
    let (_, _, again) = app.get(&page, Some(&cookie)).await;
    assert!(!again.contains("is back in your wallet"), "told once");
    assert_eq!(w.balance(nora).await.to_string(), "$200.00");
}

#[tokio::test]
async fn a_refused_plain_post_goes_back_with_its_error_and_changes_nothing() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let nora = w.patient("nora", "50.00").await;
    let app = TestApp::new(&db);
    let cookie = app.sign_in_as("nora").await;
    let (status, location) = post_plain(
        &app,
        &cookie,
        "/api/wallet/top-up",
        &format!(
            "amount=lots&card_number=4242424242424242&expiry=12%2F34&cvc=123&request_key={}",
            key().as_str()
        ),
        "/wallet",
    )
    .await;
    assert_eq!(status, StatusCode::FOUND);
    let back = location
        .strip_prefix("http://localhost")
        .expect("back to the page the form was on");
    assert!(back.starts_with("/wallet?__path="), "{location}");
    let (status, _, page) = app.get(back, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    // The wallet shows the form again with the amount's problem beside it.
    assert!(
        page.contains("aria-invalid=\"true\""),
        "the amount is marked"
    );
    assert_eq!(w.balance(nora).await.to_string(), "$50.00");
}
