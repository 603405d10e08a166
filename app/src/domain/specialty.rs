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
    /// Every doctor of the specialty, active or not (a specialty with any cannot be deleted).
    pub doctors: i64,
}

/// A specialty's name and description, parsed: the name trimmed, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialtyDetails {
    pub name: String,
    pub description: String,
}

impl SpecialtyDetails {
    pub fn parse(name: &str, description: &str) -> Result<Self, super::AppError> {
        let mut check = super::account::FormCheck::default();
        let name = check.field("name", {
            let name = name.trim();
            if name.is_empty() {
                Err("Enter the specialty's name.".to_owned())
            } else if name.chars().count() > 100 {
                Err("A specialty's name has at most 100 characters.".to_owned())
            } else {
                Ok(name.to_owned())
            }
        });
        let description = check.field("description", {
            let description = description.trim();
            if description.chars().count() > 1000 {
                Err("Keep the description to 1,000 characters.".to_owned())
            } else {
                Ok(description.to_owned())
            }
        });
        match (name, description) {
            (Some(name), Some(description)) => Ok(Self { name, description }),
            _ => Err(check.into_error()),
        }
    }
}
