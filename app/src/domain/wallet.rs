//! The wallet: ledger entries, the history's filters, and card details as a patient types them.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::AppError;
use super::listing::list_params;
use super::money::Money;

/// `wallet_transactions.transaction_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionType {
    Deposit,
    Withdrawal,
    Payment,
    Refund,
}

impl TransactionType {
    pub const ALL: [Self; 4] = [Self::Deposit, Self::Withdrawal, Self::Payment, Self::Refund];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Withdrawal => "withdrawal",
            Self::Payment => "payment",
            Self::Refund => "refund",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Deposit => "Top-up",
            Self::Withdrawal => "Withdrawal",
            Self::Payment => "Payment",
            Self::Refund => "Refund",
        }
    }
}

impl FromStr for TransactionType {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == value)
            .ok_or_else(|| format!("unknown transaction type {value:?}"))
    }
}

impl TryFrom<String> for TransactionType {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl fmt::Display for TransactionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LedgerEntry {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// The same instant on the clinic's clock, for showing (filled in by the service).
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub local_at: NaiveDateTime,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub transaction_type: TransactionType,
    /// Signed: positive adds to the balance, negative takes from it.
    pub amount: Money,
    pub description: String,
    pub balance_after: Money,
    pub appointment_id: Option<i64>,
}

list_params! {
    /// Which history rows to show, as they come from the URL (strings, parsed on the server).
    pub struct HistoryParams { kind, from, to }
}

/// The parsed history filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub kind: Option<TransactionType>,
    /// Clinic-local dates, both inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// 1-based.
    pub page: u32,
}

pub const HISTORY_PAGE_SIZE: u32 = 25;

impl HistoryParams {
    /// Parses every parameter and reports all bad ones at once.
    pub fn parse(&self) -> Result<HistoryFilter, AppError> {
        let mut errors = Vec::new();
        let kind = match self.kind.trim() {
            "" | "all" => None,
            text => match text.parse() {
                Ok(kind) => Some(kind),
                Err(_) => {
                    errors.push(super::FieldError::new(
                        "kind",
                        "Choose top-ups, withdrawals, payments or refunds.",
                    ));
                    None
                }
            },
        };
        let mut date = |field: &str, text: &str| match text.trim() {
            "" => None,
            text => match super::format::parse_iso_date(text) {
                Some(date) if (2000..=2200).contains(&date.year()) => Some(date),
                _ => {
                    errors.push(super::FieldError::new(
                        field,
                        "Enter a date like 2026-12-31.",
                    ));
                    None
                }
            },
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.push(super::FieldError::new(
                "to",
                "The end date is before the start date.",
            ));
        }
        let page = match self.page.trim() {
            "" => 1,
            text => match text.parse::<u32>() {
                Ok(page) if page >= 1 => page,
                _ => {
                    errors.push(super::FieldError::new("page", "Pages are numbered from 1."));
                    1
                }
            },
        };
        if errors.is_empty() {
            Ok(HistoryFilter {
                kind,
                from,
                to,
                page,
            })
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    /// The query string for this filter on another page (for links).
    pub fn query_for_page(&self, page: u32) -> String {
        let mut parts = Vec::new();
        for (name, value) in [("kind", &self.kind), ("from", &self.from), ("to", &self.to)] {
            if !value.trim().is_empty() {
                parts.push(format!("{name}={}", super::encode_query(value.trim())));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }
}

/// Where this clinic's card payments go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardPayments {
    /// Test cards only; no real money moves (demo and staging sites).
    Sandbox,
    /// No card payments: no top-ups or withdrawals.
    Off,
}

/// The wallet as its page shows it: the balance, whether cards can be used, and a page of the
/// history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletOverview {
    pub card_payments: CardPayments,
    pub balance: Money,
    pub entries: Vec<LedgerEntry>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub max_amount: Money,
    /// A fresh key for the top-up and withdrawal forms.
    pub request_key: String,
}

/// The answer to a top-up or withdrawal that went through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletReceipt {
    pub amount: Money,
    pub balance: Money,
    /// The payment provider's reference.
    pub external_id: String,
}

impl WalletReceipt {
    /// What the wallet page says once the money moved: "Added $25.00. Your balance is …".
    pub fn message(&self, verb: &str) -> String {
        format!(
            "{verb} {}. Your balance is {}. (Reference {})",
            self.amount, self.balance, self.external_id
        )
    }
}

/// Card details as typed into the top-up or withdrawal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    number: String,
    exp_month: u32,
    exp_year: i32,
    cvc: String,
}

impl Card {
    /// Parses the three card fields, reporting all problems at once. `today` decides expiry.
    pub fn parse(
        number: &str,
        expiry: &str,
        cvc: &str,
        today: NaiveDate,
    ) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let digits: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() {
            errors.push(super::FieldError::new(
                "card_number",
                "Enter the card number.",
            ));
        } else if !digits.bytes().all(|b| b.is_ascii_digit()) || !(12..=19).contains(&digits.len())
        {
            errors.push(super::FieldError::new(
                "card_number",
                "A card number has 12 to 19 digits.",
            ));
        } else if !luhn_valid(&digits) {
            errors.push(super::FieldError::new(
                "card_number",
                "This card number is not valid: check it for a typo.",
            ));
        }
        let parsed_expiry = expiry
            .trim()
            .split_once('/')
            .and_then(|(m, y)| Some((m.trim().parse::<u32>().ok()?, y.trim().parse::<i32>().ok()?)))
            .filter(|(m, _)| (1..=12).contains(m))
            .map(|(m, y)| (m, if y < 100 { 2000 + y } else { y }));
        let (exp_month, exp_year) = match parsed_expiry {
            None => {
                errors.push(super::FieldError::new(
                    "expiry",
                    "Enter the expiry date as MM/YY, such as 04/29.",
                ));
                (0, 0)
            }
            Some((m, y)) if (y, m) < (today.year(), today.month()) => {
                errors.push(super::FieldError::new("expiry", "This card has expired."));
                (m, y)
            }
            Some(expiry) => expiry,
        };
        let cvc = cvc.trim();
        if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(super::FieldError::new(
                "cvc",
                "The security code is the 3 or 4 digits on the card.",
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(Self {
            number: digits,
            exp_month,
            exp_year,
            cvc: cvc.to_owned(),
        })
    }

    pub fn number(&self) -> &str {
        &self.number
    }

    pub fn last4(&self) -> &str {
        &self.number[self.number.len() - 4..]
    }

    pub fn expiry(&self) -> (u32, i32) {
        (self.exp_month, self.exp_year)
    }
}

/// The Luhn checksum every card number carries.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A positive amount of at most `max`, with a message beside `field` otherwise.
pub fn parse_wallet_amount(field: &str, text: &str, max: Money) -> Result<Money, AppError> {
    let amount = Money::parse(text).map_err(|message| AppError::validation(field, message))?;
    if amount <= Money::ZERO {
        return Err(AppError::validation(field, "Enter an amount above zero."));
    }
    if amount > max {
        return Err(AppError::validation(
            field,
            format!("The most you can move at once is {max}."),
        ));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

    #[test]
    fn cards_are_checked_for_typos_expiry_and_security_code() {
        let card = Card::parse("4242 4242 4242 4242", "12/30", "123", today()).expect("valid");
        assert_eq!(card.last4(), "4242");
        assert_eq!(card.expiry(), (12, 2030));
        assert!(Card::parse("4242 4242 4242 4241", "12/30", "123", today()).is_err());
        let Err(AppError::Invalid(errors)) = Card::parse("", "10/26", "12", today()) else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["card_number", "expiry", "cvc"]);
        assert!(Card::parse("4242424242424242", "11/26", "1234", today()).is_ok());
        assert!(Card::parse("4242424242424242", "13/30", "123", today()).is_err());
    }

    #[test]
    fn wallet_amounts_are_positive_whole_cents_within_the_limit() {
        let max = Money::parse("1000").expect("literal");
        assert_eq!(
            parse_wallet_amount("amount", "25.50", max),
            Ok(Money::parse("25.50").expect("literal"))
        );
        for bad in ["0", "-5", "1.001", "1000.01", "ten"] {
            assert!(parse_wallet_amount("amount", bad, max).is_err(), "{bad}");
        }
    }

    #[test]
    fn history_filters_report_every_bad_parameter() {
        let params = HistoryParams {
            kind: "gift".into(),
            from: "2026-12-01".into(),
            to: "2026-11-01".into(),
            page: "0".into(),
        };
        let Err(AppError::Invalid(errors)) = params.parse() else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "to", "page"]);
        let ok = HistoryParams {
            kind: "refund".into(),
            ..Default::default()
        };
        assert_eq!(
            ok.parse().expect("valid").kind,
            Some(TransactionType::Refund)
        );
        assert_eq!(ok.query_for_page(2), "kind=refund&page=2");
    }
}
