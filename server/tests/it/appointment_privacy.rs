//! What each party sees of an appointment's money, over the real server function: the patient
//! and admins see the visit's wallet rows with the balance after each; its doctor sees only the
//! payment and refund amounts, never the patient's balance.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use serde_json::Value;
use tower::ServiceExt;

use app::domain::UserRole;
use app::services::booking::{self, Actor};
use server::http;

use crate::accounts::PASSWORD;
use crate::booking::{World, confirmed, key, settings};
use crate::harness::TestDb;
use crate::sessions::session_cookie;
use crate::web::config;

async fn post(router: &Router, cookie: &str, path: &str, body: String) -> (StatusCode, String) {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request");
    let response = router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let cookie = session_cookie(&response);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match cookie {
        Some(cookie) if path == "/api/sign-in" => (status, format!("clinic_session={cookie}")),
        _ => (status, text),
    }
}

async fn sign_in(router: &Router, username: &str) -> String {
    let (status, cookie) = post(
        router,
        "",
        "/api/sign-in",
        format!("identifier={username}&password={PASSWORD}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "sign-in of {username}: {cookie}");
    cookie
}

#[tokio::test]
async fn the_doctor_sees_the_visits_payment_and_refund_but_not_the_patients_balance() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "1234.56").await;
    let now = Utc::now();
    let visit = confirmed(w.book(ann, w.slot(5, 9).await, now).await);
    booking::cancel(
        &db.pool,
        &settings(),
        Actor {
            user_id: ann,
            role: UserRole::Patient,
        },
        visit,
        Some(app::domain::Money::parse("80").expect("amount")),
        "",
        &key(),
        now,
    )
    .await
    .expect("cancel");
    // Another movement of the patient's, on no appointment: nobody sees it on this page.
    w.deposit(ann, "10.00").await;
    // The doctor and the admin sign in with the patient's password.
    sqlx::query(
        "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = $1),
                          email_verified_at = now()
          WHERE username IN ('jo.heart', 'root')",
    )
    .bind(ann)
    .execute(&db.pool)
    .await
    .expect("passwords");
    let router = http::router(&config(), db.pool.clone());

    let mut seen = Vec::new();
    for username in ["ann", "jo.heart", "root"] {
        let cookie = sign_in(&router, username).await;
        let (status, body) = post(
            &router,
            &cookie,
            "/api/booking/detail",
            format!("appointment_id={visit}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{username}: {body}");
        let detail: Value = serde_json::from_str(&body).expect("json");
        let rows = detail["ledger"].as_array().expect("ledger").clone();
        let amounts: Vec<String> = rows.iter().map(|r| r["amount"].to_string()).collect();
        assert_eq!(
            amounts,
            ["\"-80.00\"", "\"80.00\""],
            "{username} sees the payment and the refund, and nothing else"
        );
        seen.push((username, rows, body));
    }
    // 1,234.56 - 80.00 = 1,154.56 after the payment, 1,234.56 again after the refund.
    for (username, rows, body) in &seen {
        let balances: Vec<&Value> = rows.iter().map(|r| &r["balance_after"]).collect();
        if *username == "jo.heart" {
            assert!(balances.iter().all(|b| b.is_null()), "{balances:?}");
            for secret in ["1154.56", "1234.56", "1244.56"] {
                assert!(
                    !body.contains(secret),
                    "the doctor's answer holds {secret}: {body}"
                );
            }
        } else {
            assert_eq!(
                balances,
                [&Value::from("1154.56"), &Value::from("1234.56")],
                "{username}"
            );
        }
    }
}
