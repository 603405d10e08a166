//! What each party sees of an appointment's money, over the real server function: the patient
//! and admins see the visit's wallet rows with the balance after each; its doctor sees only the
//! payment and refund amounts, never the patient's balance.

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::Value;

use app::domain::UserRole;
use app::services::booking::{self, Actor};

use crate::harness::{TestApp, TestDb, World, confirmed, key, settings};

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
        booking::Cancellation {
            appointment_id: visit,
            expected_refund: Some(app::domain::Money::parse("80").expect("amount")),
            reason: "",
        },
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
    let app = TestApp::new(&db);

    let mut seen = Vec::new();
    for username in ["ann", "jo.heart", "root"] {
        let cookie = app.sign_in_as(username).await;
        let (status, detail) = app
            .call(
                &cookie,
                "/api/booking/detail",
                format!("appointment_id={visit}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{username}: {detail}");
        let body = detail.to_string();
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
