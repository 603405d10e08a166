//! Who a user is to the clinic. Stored as `users.user_type`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserRole {
    Admin,
    Patient,
    Doctor,
}

impl UserRole {
    /// The value stored in the database (`users.user_type`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Patient => "patient",
            Self::Doctor => "doctor",
        }
    }
}

impl fmt::Display for UserRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserRole {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "admin" => Ok(Self::Admin),
            "patient" => Ok(Self::Patient),
            "doctor" => Ok(Self::Doctor),
            other => Err(format!(
                "unknown user type {other:?}: expected admin, patient or doctor"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_database_value() {
        for role in [UserRole::Admin, UserRole::Patient, UserRole::Doctor] {
            assert_eq!(role.as_str().parse::<UserRole>(), Ok(role));
        }
        assert!("superuser".parse::<UserRole>().is_err());
    }
}
