//! Card payments go through a [`PaymentGateway`]: the seam where a real provider (Stripe,
//! Adyen, ...) plugs in. The [`SandboxGateway`] is the default: it behaves like the test cards
//! of real providers, so every path (approved, declined, unreachable) can be tried by hand and
//! by the tests without moving real money.
//!
//! The contract a real provider's adapter must keep:
//! - `key` is our request key. The provider must treat it as its idempotency key, so a retry
//!   of the same request (after a timeout or a crash) is charged once and answered the same.
//! - `Ok(Approved)` means the money moved and `external_id` is the provider's unique reference.
//! - `Ok(Declined)` means it did not, with a message the patient can act on.
//! - `Err(Unreachable)` means we do not know. The operation stays pending, and reconciliation
//!   asks `status(key)` later until the provider says what became of it.
//! - `status(key)` answers from the provider's records: `Some(answer)` for a request it
//!   received (the same answer as the original call), `None` for one it never received (so
//!   nothing moved).
//!
//! Every call is made outside any database transaction and within [`PaymentGateway::timeout`].

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use crate::domain::money::Money;
use crate::domain::wallet::{Card, CardPayments};

pub type GatewayFuture<'a> =
    Pin<Box<dyn Future<Output = Result<GatewayAnswer, GatewayUnreachable>> + Send + 'a>>;

/// What the provider said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayAnswer {
    Approved { external_id: String },
    Declined { message: String },
}

/// The provider could not be reached or did not answer in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayUnreachable(pub String);

/// One card operation.
#[derive(Debug, Clone, Copy)]
pub struct CardRequest<'a> {
    /// Our request key, the provider's idempotency key.
    pub key: &'a str,
    pub card: &'a Card,
    pub amount: Money,
}

pub trait PaymentGateway: Send + Sync {
    /// A short name for the records (`gateway_operations.gateway`).
    fn name(&self) -> &'static str;
    /// What kind of provider this is (the wallet page says so).
    fn card_payments(&self) -> CardPayments;
    /// Takes `amount` from the card (a wallet top-up).
    fn charge<'a>(&'a self, request: CardRequest<'a>) -> GatewayFuture<'a>;
    /// Sends `amount` to the card (a wallet withdrawal).
    fn payout<'a>(&'a self, request: CardRequest<'a>) -> GatewayFuture<'a>;
    /// What became of the operation sent with `key` (see the contract above).
    fn status<'a>(&'a self, key: &'a str) -> StatusFuture<'a>;
    /// How long to wait for any answer before treating the provider as unreachable.
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(15)
    }
}

pub type StatusFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<GatewayAnswer>, GatewayUnreachable>> + Send + 'a>>;

/// The gateway the server was configured with, as request handlers find it.
#[derive(Clone)]
pub struct Gateway(pub Arc<dyn PaymentGateway>);

/// The sandbox's test cards (any future expiry, any security code).
pub mod test_cards {
    /// Always approved.
    pub const APPROVED: &str = "4242424242424242";
    /// Always declined.
    pub const DECLINED: &str = "4000000000000002";
    /// Declined for lack of funds.
    pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";
    /// The card network does not answer.
    pub const UNREACHABLE: &str = "4000000000000119";
}

/// A gateway that moves no real money. Answers are remembered by request key, as a real
/// provider's idempotency does, so a retried request gets the same answer and id.
#[derive(Default)]
pub struct SandboxGateway {
    answers: Mutex<HashMap<String, GatewayAnswer>>,
}

impl SandboxGateway {
    fn answer(
        &self,
        request: CardRequest<'_>,
        prefix: &str,
    ) -> Result<GatewayAnswer, GatewayUnreachable> {
        let answer = match request.card.number() {
            test_cards::APPROVED => GatewayAnswer::Approved {
                external_id: format!("{prefix}_{}", uuid::Uuid::new_v4().simple()),
            },
            test_cards::DECLINED => GatewayAnswer::Declined {
                message: "Your card was declined. Try another card or contact your bank."
                    .to_owned(),
            },
            test_cards::INSUFFICIENT_FUNDS => GatewayAnswer::Declined {
                message: "Your card has insufficient funds. Try a smaller amount or another card."
                    .to_owned(),
            },
            test_cards::UNREACHABLE => {
                return Err(GatewayUnreachable(
                    "the card network did not answer".to_owned(),
                ));
            }
            _ => GatewayAnswer::Declined {
                message:
                    "This is the sandbox, which takes only test cards: use 4242 4242 4242 4242."
                        .to_owned(),
            },
        };
        let mut answers = self
            .answers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(answers
            .entry(request.key.to_owned())
            .or_insert(answer)
            .clone())
    }
}

impl PaymentGateway for SandboxGateway {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn card_payments(&self) -> CardPayments {
        CardPayments::Sandbox
    }

    fn charge<'a>(&'a self, request: CardRequest<'a>) -> GatewayFuture<'a> {
        Box::pin(async move { self.answer(request, "sbx_ch") })
    }

    fn payout<'a>(&'a self, request: CardRequest<'a>) -> GatewayFuture<'a> {
        Box::pin(async move { self.answer(request, "sbx_po") })
    }

    /// The sandbox remembers its answers in memory: after a restart it has received nothing,
    /// which is true of the money too (it never moves any).
    fn status<'a>(&'a self, key: &'a str) -> StatusFuture<'a> {
        Box::pin(async move {
            Ok(self
                .answers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(key)
                .cloned())
        })
    }
}

/// No card provider: every card operation is declined with a message that says so, and the
/// wallet page offers none (`CLINIC_PAYMENTS=off`).
pub struct NoCardPayments;

impl NoCardPayments {
    const MESSAGE: &str = "Card payments are not available at this clinic. Please contact the clinic to add money to your wallet.";
}

impl PaymentGateway for NoCardPayments {
    fn name(&self) -> &'static str {
        "off"
    }

    fn card_payments(&self) -> CardPayments {
        CardPayments::Off
    }

    fn charge<'a>(&'a self, _request: CardRequest<'a>) -> GatewayFuture<'a> {
        Box::pin(async {
            Ok(GatewayAnswer::Declined {
                message: Self::MESSAGE.to_owned(),
            })
        })
    }

    fn payout<'a>(&'a self, request: CardRequest<'a>) -> GatewayFuture<'a> {
        self.charge(request)
    }

    fn status<'a>(&'a self, _key: &'a str) -> StatusFuture<'a> {
        Box::pin(async { Ok(None) })
    }
}
