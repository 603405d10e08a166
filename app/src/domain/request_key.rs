//! Request keys: the token a form sends with a request that must be carried out once, however
//! often it is retried (a double click, a reload, a lost answer).

use serde::{Deserialize, Serialize};

use super::AppError;

/// A key the browser sends with a booking or payment request, chosen when the form was shown:
/// the same key twice means the same request, answered once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RequestKey(String);

impl RequestKey {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let text = text.trim();
        let valid = (16..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(AppError::validation(
                "request_key",
                "This form has expired. Reload the page and try again.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh random key.
    #[cfg(feature = "ssr")]
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_keys_are_long_plain_tokens() {
        assert!(RequestKey::parse("0123456789abcdef").is_ok());
        assert!(RequestKey::parse("short").is_err());
        assert!(RequestKey::parse("0123456789abcdef'; DROP").is_err());
        assert!(RequestKey::parse(&"a".repeat(65)).is_err());
    }
}
