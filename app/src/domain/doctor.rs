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

/// A doctor's public page: who they are, what patients say, and when they are free.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoctorProfile {
    pub card: DoctorCard,
    pub bio: String,
    pub reviews: Vec<PublicReview>,
    /// Free slots of the coming days, in time order.
    pub free_slots: Vec<FreeSlot>,
}

/// A review as anyone may see it: the author is a first name and initial, or "Anonymous
/// patient"; nothing else about them leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PublicReview {
    pub author: String,
    pub rating: i16,
    pub comment: String,
    pub date: chrono::NaiveDate,
}

/// A bookable slot, in the clinic's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FreeSlot {
    pub id: i64,
    pub date: chrono::NaiveDate,
    pub start_time: chrono::NaiveTime,
    pub end_time: chrono::NaiveTime,
}
