//! Money: a decimal amount with exactly two places. Never a float.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of the clinic's currency, always rounded to cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
#[serde(transparent)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wraps an amount that already has at most two decimal places (as every NUMERIC(10,2)
    /// column does). Anything finer is a bug upstream and is rounded half away from zero.
    pub fn from_decimal(amount: Decimal) -> Self {
        Self(amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// `-1234.50`: always two decimals, no currency sign or grouping, for files a spreadsheet
    /// reads as numbers (the database may hand back a zero without its decimals).
    pub fn plain(self) -> String {
        format!("{:.2}", self.0.round_dp(2))
    }

    /// The largest amount a `NUMERIC(10,2)` column holds.
    pub fn max_storable() -> Self {
        Self(Decimal::new(9_999_999_999, 2))
    }

    /// An amount as a person types it: `85`, `85.5`, `85.50` or `$1,085.50`. Refuses negative
    /// amounts, fractions of a cent and amounts too large to store, saying which.
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.trim();
        let digits: String = text
            .strip_prefix('$')
            .unwrap_or(text)
            .trim()
            .chars()
            .filter(|c| *c != ',')
            .collect();
        if digits.is_empty() {
            return Err("Enter an amount, such as 85.00.".to_owned());
        }
        let well_formed = digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && digits.matches('.').count() <= 1
            && !digits.starts_with('.');
        if digits.starts_with('-') {
            return Err("The amount cannot be negative.".to_owned());
        }
        if !well_formed {
            return Err(format!("{text:?} is not an amount; write it like 85.00."));
        }
        if digits
            .split_once('.')
            .is_some_and(|(_, cents)| cents.len() > 2)
        {
            return Err("Use at most two decimal places (whole cents).".to_owned());
        }
        let amount: Decimal = digits
            .parse()
            .map_err(|_| format!("{text:?} is not an amount; write it like 85.00."))?;
        let money = Self::from_decimal(amount);
        if money > Self::max_storable() {
            return Err(format!(
                "The amount can be at most {}.",
                Self::max_storable()
            ));
        }
        Ok(money)
    }
}

impl fmt::Display for Money {
    /// `$1,234.50`: the currency sign, thousands separators and always two decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.0.round_dp(2);
        let sign = if cents.is_sign_negative() && !cents.is_zero() {
            "-"
        } else {
            ""
        };
        let text = format!("{:.2}", cents.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
        write!(f, "{sign}${}.{fraction}", super::group_thousands(whole))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn money(text: &str) -> Money {
        Money::from_decimal(Decimal::from_str(text).expect("test literal"))
    }

    #[test]
    fn plain_amounts_always_have_two_decimals() {
        assert_eq!(money("0").plain(), "0.00");
        assert_eq!(money("-80").plain(), "-80.00");
        assert_eq!(money("1234.5").plain(), "1234.50");
    }

    #[test]
    fn displays_with_currency_sign_grouping_and_two_places() {
        assert_eq!(money("0").to_string(), "$0.00");
        assert_eq!(money("85").to_string(), "$85.00");
        assert_eq!(money("1234.5").to_string(), "$1,234.50");
        assert_eq!(money("1000000").to_string(), "$1,000,000.00");
        assert_eq!(money("-12.30").to_string(), "-$12.30");
    }

    #[test]
    fn parses_amounts_as_people_type_them() {
        assert_eq!(Money::parse("85"), Ok(money("85.00")));
        assert_eq!(Money::parse(" $1,085.5 "), Ok(money("1085.50")));
        assert_eq!(Money::parse("0"), Ok(Money::ZERO));
        assert!(Money::parse("-5").expect_err("-5").contains("negative"));
        assert!(
            Money::parse("1.005")
                .expect_err("1.005")
                .contains("two decimal")
        );
        assert!(
            Money::parse("12abc")
                .expect_err("12abc")
                .contains("not an amount")
        );
        assert!(Money::parse("").expect_err("").contains("Enter an amount"));
        assert!(
            Money::parse("100000000")
                .expect_err("100000000")
                .contains("at most")
        );
    }

    #[test]
    fn rounds_to_cents_half_away_from_zero() {
        assert_eq!(
            money("10.005").amount(),
            Decimal::from_str("10.01").expect("literal")
        );
        assert_eq!(
            money("-10.005").amount(),
            Decimal::from_str("-10.01").expect("literal")
        );
    }
}
