//! Erasing an account: the card a patient may name for their wallet's payout, and what the
//! erasure came to, as the person who asked for it is told.

use serde::{Deserialize, Serialize};

use super::AppError;
use super::money::Money;
use super::wallet::Card;

/// The card fields of the deletion form: all empty means "no payout card", anything typed must
/// be a whole valid card (a half-typed card is a mistake to point out, not a choice).
pub fn parse_payout_card(
    number: &str,
    expiry: &str,
    cvc: &str,
    today: chrono::NaiveDate,
) -> Result<Option<Card>, AppError> {
    if [number, expiry, cvc]
        .iter()
        .all(|field| field.trim().is_empty())
    {
        return Ok(None);
    }
    Card::parse(number, expiry, cvc, today).map(Some)
}

/// What became of the wallet's remaining balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payout {
    /// The wallet was empty.
    NothingLeft,
    /// No card was named (an admin erasing an account on request never has one).
    NoCard,
    /// The balance went to the card.
    Sent { amount: Money, card_last4: String },
    /// The card network has not answered yet; reconciliation settles it (a declined payout
    /// returns the money, which is then owed).
    Pending { amount: Money, card_last4: String },
    /// The payout did not go through, for this reason.
    Failed { message: String },
}

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureOutcome {
    /// The anonymous id the kept records (payments, ledger, reviews) are tied to: the reference
    /// to quote to the clinic about money still owed.
    pub reference: i64,
    /// Future appointments cancelled.
    pub cancelled: u32,
    /// What those cancellations refunded into the wallet, by the cancellation policy.
    pub refunded: Money,
    pub payout: Payout,
    /// What the clinic still owes: the wallet's balance once the payout was tried.
    pub owed: Money,
}

impl ErasureOutcome {
    /// The outcome in a few sentences, for the person who asked.
    pub fn summary(&self) -> String {
        let mut parts =
            vec!["The account has been deleted and every session signed out.".to_owned()];
        if self.cancelled > 0 {
            parts.push(format!(
                "{} future appointment{} cancelled; {} refunded to the wallet by the cancellation policy.",
                self.cancelled,
                if self.cancelled == 1 { " was" } else { "s were" },
                self.refunded
            ));
        }
        match &self.payout {
            Payout::NothingLeft | Payout::NoCard => {}
            Payout::Sent { amount, card_last4 } => {
                parts.push(format!("{amount} was sent to the card ending {card_last4}."))
            }
            Payout::Pending { amount, card_last4 } => parts.push(format!(
                "The payout of {amount} to the card ending {card_last4} is waiting for the card network's answer."
            )),
            Payout::Failed { message } => {
                parts.push(format!("The payout did not go through: {message}"))
            }
        }
        if self.owed > Money::ZERO {
            parts.push(format!(
                "The clinic keeps {} on record as owed; quote reference {} to claim it.",
                self.owed, self.reference
            ));
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2030, 1, 1).expect("date")
    }

    #[test]
    fn an_empty_card_means_no_payout_and_a_partial_one_is_refused() {
        assert!(matches!(parse_payout_card(" ", "", "", today()), Ok(None)));
        assert!(parse_payout_card("4242424242424242", "", "", today()).is_err());
        let card = parse_payout_card("4242 4242 4242 4242", "12/34", "123", today())
            .expect("valid")
            .expect("a card");
        assert_eq!(card.last4(), "4242");
    }

    #[test]
    fn the_summary_names_what_is_owed_and_the_reference() {
        let outcome = ErasureOutcome {
            reference: 17,
            cancelled: 1,
            refunded: Money::parse("40").expect("money"),
            payout: Payout::Failed {
                message: "Your card was declined.".to_owned(),
            },
            owed: Money::parse("40").expect("money"),
        };
        let text = outcome.summary();
        assert!(
            text.contains("1 future appointment was cancelled"),
            "{text}"
        );
        assert!(text.contains("reference 17"), "{text}");
        assert!(text.contains("declined"), "{text}");
    }
}
