//! Literals parsed for tests (amounts, instants, dates), a fresh request key, and the clinic's
//! settings as the tests' configuration has them.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use app::domain::Money;
use app::domain::request_key::RequestKey;
use app::services::ClinicSettings;

use super::app::config;

/// The clinic's settings under the tests' [`config`].
pub fn settings() -> ClinicSettings {
    config().clinic_settings()
}

/// An amount of money, as the app takes it.
pub fn money(text: &str) -> Money {
    Money::parse(text).expect("amount")
}

/// An amount as the database stores it (`numeric`), for SQL written by the test.
pub fn decimal(text: &str) -> Decimal {
    text.parse().expect("amount")
}

/// A request key no request has used yet.
pub fn key() -> RequestKey {
    RequestKey::generate()
}

/// An instant written in RFC 3339 (`2030-01-07T08:00:00Z`).
pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("instant")
}

/// A calendar date (`2030-01-07`).
pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("date")
}
