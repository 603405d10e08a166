//! Medical specialties as the public pages show them.

use serde::{Deserialize, Serialize};

/// A specialty with the number of doctors currently accepting patients in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SpecialtySummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub active_doctors: i64,
}
