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

/// The longest specialty name: the `specialties.name` column's `VARCHAR(100)`.
pub const MAX_NAME_CHARS: usize = 100;
/// The longest description (`specialties.description` is TEXT: this is the only limit); the
/// directory shows it under the name, so a paragraph is plenty.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// A specialty's name and description, parsed: the name trimmed, on one line, 1 to
/// [`MAX_NAME_CHARS`] characters; the description at most [`MAX_DESCRIPTION_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialtyDetails {
    pub name: String,
    pub description: String,
}

impl SpecialtyDetails {
    pub fn parse(name: &str, description: &str) -> Result<Self, super::AppError> {
        let mut check = super::forms::FormCheck::default();
        let name = check.field(
            "name",
            super::text::parse_line(name, MAX_NAME_CHARS, "The specialty's name"),
        );
        let description = check.field(
            "description",
            super::text::parse_free_text(description, MAX_DESCRIPTION_CHARS, "The description"),
        );
        match (name, description) {
            (Some(name), Some(description)) => Ok(Self { name, description }),
            _ => Err(check.into_error()),
        }
    }
}
