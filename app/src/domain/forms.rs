//! Form checking shared by every feature: one problem per field ([`FieldError`]) and the
//! collector that gathers a whole form's problems at once ([`FormCheck`]).

use serde::{Deserialize, Serialize};

use super::AppError;

/// One problem with one form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects the problems of a whole form, so every field's message can be shown at once.
#[derive(Debug, Default)]
pub struct FormCheck(Vec<FieldError>);

impl FormCheck {
    /// The parsed value, or `None` with the message recorded against `field`.
    pub fn field<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError {
                    field: field.to_owned(),
                    message,
                });
                None
            }
        }
    }

    /// All problems found, as one error.
    pub fn into_error(self) -> AppError {
        AppError::Invalid(self.0)
    }
}
