//! Card operations when the provider misbehaves: it hangs, it fails after approving, or we
//! crash between its answer and the settlement. The money is never lost or counted twice:
//! the operation is pending until reconciliation learns what became of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;

use app::domain::AppError;
use app::domain::request_key::RequestKey;
use app::domain::wallet::{Card, CardPayments};
use app::services::gateway::{
    CardRequest, GatewayAnswer, GatewayFuture, GatewayUnreachable, PaymentGateway, StatusFuture,
    test_cards,
};
use app::services::wallet;

use crate::harness::{TestDb, World, assert_invariants, money};

/// What the scripted provider does with a call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    /// Declines and answers.
    Decline,
    /// Never answers, and never receives the request.
    Hang,
    /// Approves (the money moves), then the answer is lost on the way back.
    ApproveThenFail,
    /// Approves, then never answers: the caller is cut off (a crash) while waiting.
    ApproveThenHang,
}

/// A provider that keeps records by request key, as a real one does.
struct Scripted {
    behaviour: Behaviour,
    records: Mutex<HashMap<String, GatewayAnswer>>,
    approved: tokio::sync::Notify,
}

impl Scripted {
    fn new(behaviour: Behaviour) -> Arc<Self> {
        Arc::new(Self {
            behaviour,
            records: Mutex::new(HashMap::new()),
            approved: tokio::sync::Notify::new(),
        })
    }

    fn call<'a>(&'a self, request: CardRequest<'a>) -> GatewayFuture<'a> {
        Box::pin(async move {
            let answer = match self.behaviour {
                Behaviour::Decline => GatewayAnswer::Declined {
                    message: "Declined by the bank.".to_owned(),
                },
                Behaviour::Hang => std::future::pending().await,
                _ => GatewayAnswer::Approved {
                    external_id: format!("ext_{}", request.key),
                },
            };
            self.records
                .lock()
                .expect("records")
                .insert(request.key.to_owned(), answer.clone());
            self.approved.notify_one();
            match self.behaviour {
                Behaviour::ApproveThenFail => {
                    Err(GatewayUnreachable("connection reset".to_owned()))
                }
                Behaviour::ApproveThenHang => std::future::pending().await,
                _ => Ok(answer),
            }
        })
    }
}

impl PaymentGateway for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }
    fn card_payments(&self) -> CardPayments {
        CardPayments::Sandbox
    }
    fn charge<'a>(&'a self, request: CardRequest<'a>) -> GatewayFuture<'a> {
        self.call(request)
    }
    fn payout<'a>(&'a self, request: CardRequest<'a>) -> GatewayFuture<'a> {
        self.call(request)
    }
    fn status<'a>(&'a self, key: &'a str) -> StatusFuture<'a> {
        Box::pin(async move { Ok(self.records.lock().expect("records").get(key).cloned()) })
    }
    fn timeout(&self) -> Duration {
        Duration::from_millis(300)
    }
}

fn card() -> Card {
    Card::parse(
        test_cards::APPROVED,
        "12/35",
        "123",
        Utc::now().date_naive(),
    )
    .expect("card")
}

async fn statuses(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar("SELECT status FROM gateway_operations ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .expect("operations")
}

/// Reconciliation as the housekeeping runs it, a few minutes later.
async fn reconcile(db: &TestDb, gateway: &dyn PaymentGateway) -> u32 {
    wallet::reconcile(&db.pool, gateway, Utc::now() + chrono::Duration::minutes(5))
        .await
        .expect("reconcile")
}

#[tokio::test]
async fn a_provider_that_hangs_leaves_the_top_up_pending_and_never_blocks_the_wallet() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "10.00").await;
    let gateway = Scripted::new(Behaviour::Hang);
    let key = RequestKey::generate();
    let started = std::time::Instant::now();
    let answer = wallet::top_up(&db.pool, gateway.as_ref(), ann, &card(), money("50"), &key).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the provider's time limit holds"
    );
    assert!(
        matches!(answer, Err(AppError::Conflict(ref m)) if m.contains("keep asking")),
        "{answer:?}"
    );
    // The wallet is not locked meanwhile: the patient can still pay from it.
    let slot = w.slot(3, 9).await;
    let booked = w.book(ann, slot, Utc::now()).await;
    assert!(booked.is_ok(), "{booked:?}");
    // Asking again with the same key does not call the provider again.
    let again = wallet::top_up(&db.pool, gateway.as_ref(), ann, &card(), money("50"), &key).await;
    assert!(
        matches!(again, Err(AppError::Conflict(ref m)) if m.contains("still being processed")),
        "{again:?}"
    );
    assert_eq!(statuses(&db).await, ["pending"]);
    // The provider never received it: reconciliation settles it as not charged.
    assert_eq!(reconcile(&db, gateway.as_ref()).await, 1);
    assert_eq!(statuses(&db).await, ["declined"]);
    assert_eq!(
        w.balance(ann).await,
        money("10.00"),
        "held for a hold, never charged"
    );
    let settled = wallet::top_up(&db.pool, gateway.as_ref(), ann, &card(), money("50"), &key).await;
    assert!(
        matches!(settled, Err(AppError::Validation { .. })),
        "{settled:?}"
    );
    assert_invariants(&db).await;
}

#[tokio::test]
async fn a_provider_that_fails_after_approving_is_reconciled_into_exactly_one_credit() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "0").await;
    let gateway = Scripted::new(Behaviour::ApproveThenFail);
    let key = RequestKey::generate();
    let answer = wallet::top_up(&db.pool, gateway.as_ref(), ann, &card(), money("50"), &key).await;
    assert!(matches!(answer, Err(AppError::Conflict(_))), "{answer:?}");
    assert_eq!(
        w.balance(ann).await,
        money("0"),
        "not credited before the provider says so"
    );
    // Two instances reconcile at once: one credit.
    let (first, second) = tokio::join!(
        reconcile(&db, gateway.as_ref()),
        reconcile(&db, gateway.as_ref())
    );
    assert_eq!(first + second, 1);
    assert_eq!(
        reconcile(&db, gateway.as_ref()).await,
        0,
        "nothing left pending"
    );
    assert_eq!(w.balance(ann).await, money("50.00"));
    assert_eq!(statuses(&db).await, ["succeeded"]);
    // The patient's retry (the same form) gets the receipt.
    let receipt = wallet::top_up(&db.pool, gateway.as_ref(), ann, &card(), money("50"), &key)
        .await
        .expect("the stored answer");
    assert_eq!(receipt.balance, money("50.00"));
    assert_invariants(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_the_providers_answer_and_the_settlement_loses_nothing() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "100.00").await;
    for (operation, behaviour) in [
        ("top-up", Behaviour::ApproveThenHang),
        ("withdrawal", Behaviour::ApproveThenHang),
    ] {
        let gateway = Scripted::new(behaviour);
        let task = {
            let pool = db.pool.clone();
            let gateway = gateway.clone();
            tokio::spawn(async move {
                let key = RequestKey::generate();
                if operation == "top-up" {
                    wallet::top_up(&pool, gateway.as_ref(), ann, &card(), money("30"), &key).await
                } else {
                    wallet::withdraw(&pool, gateway.as_ref(), ann, &card(), money("30"), &key).await
                }
            })
        };
        // The provider has approved; the process dies before it settles.
        gateway.approved.notified().await;
        task.abort();
        let _ = task.await;
        assert_eq!(reconcile(&db, gateway.as_ref()).await, 1, "{operation}");
        assert_eq!(reconcile(&db, gateway.as_ref()).await, 0, "{operation}");
    }
    // +30 credited once, -30 paid out once.
    assert_eq!(w.balance(ann).await, money("100.00"));
    assert_eq!(statuses(&db).await, ["succeeded", "succeeded"]);
    assert_invariants(&db).await;
}

#[tokio::test]
async fn a_declined_payout_gives_the_money_back_and_a_late_one_is_returned_by_reconciliation() {
    let db = TestDb::new().await;
    let w = World::new(&db).await;
    let ann = w.patient("ann", "100.00").await;
    let declining = Scripted::new(Behaviour::Decline);
    let refused = wallet::withdraw(
        &db.pool,
        declining.as_ref(),
        ann,
        &card(),
        money("40"),
        &RequestKey::generate(),
    )
    .await;
    assert!(
        matches!(refused, Err(AppError::Validation { .. })),
        "{refused:?}"
    );
    assert_eq!(w.balance(ann).await, money("100.00"));

    // A payout nobody answers: the money stays out of the wallet (it may be on its way) until
    // the provider says it never arrived.
    let hanging = Scripted::new(Behaviour::Hang);
    let pending = wallet::withdraw(
        &db.pool,
        hanging.as_ref(),
        ann,
        &card(),
        money("40"),
        &RequestKey::generate(),
    )
    .await;
    assert!(matches!(pending, Err(AppError::Conflict(_))), "{pending:?}");
    assert_eq!(
        w.balance(ann).await,
        money("60.00"),
        "reserved while unknown"
    );
    assert_eq!(reconcile(&db, hanging.as_ref()).await, 1);
    assert_eq!(
        w.balance(ann).await,
        money("100.00"),
        "returned once it is known"
    );
    assert_eq!(statuses(&db).await, ["declined", "declined"]);
    assert_invariants(&db).await;
}
