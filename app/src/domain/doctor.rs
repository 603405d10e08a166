//! Doctors as the directory lists them.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Money;

/// One doctor in a list of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DoctorCard {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub specialty: String,
    pub experience_years: i32,
    pub consultation_fee: Decimal,
    pub average_rating: Decimal,
    pub total_reviews: i32,
    /// When the doctor's next bookable slot starts, in the clinic's local time, if there is one.
    pub next_free_slot: Option<NaiveDateTime>,
}

impl DoctorCard {
    pub fn display_name(&self) -> String {
        format!("Dr. {} {}", self.first_name, self.last_name)
    }

    pub fn fee(&self) -> Money {
        Money::from_decimal(self.consultation_fee)
    }
}
