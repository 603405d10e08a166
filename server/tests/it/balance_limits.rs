//! A wallet near the most a balance column holds: a refund or top-up that would not fit is
//! refused with a message before the database would fail, and nothing changes.

use chrono::Utc;

use app::domain::wallet::TransactionType;
use app::domain::{AppError, Money, UserRole};
use app::services::booking::{self, Actor};
use app::services::ledger::{self, Posting};

use crate::harness::{TestDb, World, assert_invariants, confirmed, key, money, settings};

/// Rows that a refused credit must leave as they were.
async fn snapshot(db: &TestDb, patient: i64) -> (Money, i64, String, String) {
    sqlx::query_as(
        "SELECT u.wallet_balance,
                (SELECT count(*) FROM wallet_transactions),
                (SELECT string_agg(a.status || '/' || p.status, ',' ORDER BY a.id)
                   FROM appointments a JOIN payments p ON p.appointment_id = a.id),
                (SELECT string_agg(is_available::text, ',' ORDER BY id) FROM time_slots)
           FROM users u WHERE u.id = $1",
    )
    .bind(patient)
    .fetch_one(&db.pool)
    .await
    .expect("snapshot")
}

#[tokio::test]
async fn a_refund_that_would_overflow_the_wallet_is_refused_and_changes_nothing() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "100.00").await;
    let now = Utc::now();
    let appointment = confirmed(w.book(ann, w.slot(5, 9).await, now).await);
    // 20.00 left after the 80.00 fee; now 99,999,990.00, ten short of the most a wallet holds.
    w.deposit(ann, "99999970.00").await;
    let before = snapshot(&db, ann).await;

    for actor in [
        Actor {
            user_id: ann,
            role: UserRole::Patient,
        },
        Actor {
            user_id: w.doctor_user,
            role: UserRole::Doctor,
        },
    ] {
        let expected = (actor.role == UserRole::Patient).then(|| money("80.00"));
        let refused = booking::cancel(
            &db.pool,
            &settings(),
            actor,
            booking::Cancellation {
                appointment_id: appointment,
                expected_refund: expected,
                reason: "",
            },
            &key(),
            now,
        )
        .await;
        let Err(AppError::Conflict(message)) = &refused else {
            panic!("expected a conflict, got {refused:?}");
        };
        assert!(
            message.contains("$99,999,999.99") && message.contains("room for $9.99"),
            "{message}"
        );
        assert!(message.contains("withdraw"), "says what to do: {message}");
        assert!(
            refused
                .as_ref()
                .err()
                .is_some_and(|e| e.status_code() < 500)
        );
        assert_eq!(snapshot(&db, ann).await, before, "nothing changed");
    }
    assert_invariants(&db).await;

    // Once the patient has made room, the same cancellation goes through.
    let mut conn = db.pool.acquire().await.expect("connection");
    ledger::post(
        &mut conn,
        Posting {
            user_id: ann,
            kind: TransactionType::Withdrawal,
            amount: money("1000.00"),
            description: "Test withdrawal",
            appointment_id: None,
            actor: Some(ann),
        },
    )
    .await
    .expect("withdraw")
    .expect("posted");
    let refund = booking::cancel(
        &db.pool,
        &settings(),
        Actor {
            user_id: ann,
            role: UserRole::Patient,
        },
        booking::Cancellation {
            appointment_id: appointment,
            expected_refund: Some(money("80.00")),
            reason: "",
        },
        &key(),
        now,
    )
    .await
    .expect("cancel");
    assert_eq!(refund.amount, money("80.00"));
    assert_eq!(w.balance(ann).await, money("99999070.00"));
    assert_invariants(&db).await;
}

#[tokio::test]
async fn a_deposit_past_the_most_a_wallet_holds_is_refused_before_the_database() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "99999999.00").await;
    let mut conn = db.pool.acquire().await.expect("connection");
    let deposit = |amount: &'static str| Posting {
        user_id: ann,
        kind: TransactionType::Deposit,
        amount: money(amount),
        description: "Test top-up",
        appointment_id: None,
        actor: Some(ann),
    };
    let refused = ledger::post(&mut conn, deposit("1.00")).await;
    assert!(
        matches!(&refused, Err(AppError::Conflict(m)) if m.contains("Adding $1.00") && m.contains("room for $0.99")),
        "{refused:?}"
    );
    assert_eq!(w.balance(ann).await, money("99999999.00"));
    // Exactly the most fits.
    ledger::post(&mut conn, deposit("0.99"))
        .await
        .expect("fits")
        .expect("posted");
    assert_eq!(w.balance(ann).await, Money::max_storable());
    drop(conn);
    assert_invariants(&db).await;
}
