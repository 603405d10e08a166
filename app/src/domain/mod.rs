//! Value types shared by the server and the browser: no I/O here, only data and the rules that
//! make a value valid.

pub mod account;
pub mod admin;
pub mod booking;
pub mod codes;
pub mod dashboard;
pub mod directory;
pub mod doctor;
pub mod erasure;
pub mod error;
pub mod format;
pub mod forms;
pub mod free_week;
pub mod listing;
pub mod money;
pub mod outcomes;
pub mod oversight;
pub mod request_key;
pub mod return_path;
pub mod reviews;
pub mod role;
pub mod slots;
pub mod specialty;
pub mod text;
pub mod wallet;

pub use account::{Email, Phone, SessionUser, Username};
pub use codes::OtpCode;
pub use doctor::{
    DoctorCard, DoctorDetails, DoctorForm, DoctorProfile, DoctorRecord, FreeSlot, PracticeDetails,
    PublicReview,
};
pub use error::AppError;
pub use forms::FieldError;
pub use money::Money;
pub use return_path::ReturnPath;
pub use role::UserRole;
pub use specialty::{SpecialtyDetails, SpecialtySummary};

/// Lets sqlx read a text column straight into an enum that parses from its stored name
/// (`FromStr` with a `String` error), so a row type can hold `Option<Status>` too.
macro_rules! text_column {
    ($($ty:ty),+ $(,)?) => {$(
        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Postgres> for $ty {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <String as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }
        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $ty {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Ok(text.parse::<$ty>()?)
            }
        }
    )+};
}

text_column!(
    UserRole,
    booking::AppointmentStatus,
    booking::PaymentStatus,
    wallet::TransactionType,
);

/// Percent-encodes `text` for a URL query-string value.
pub fn encode_query(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

/// `1234567` as `1,234,567`: a run of ASCII digits with thousands separators.
pub fn group_thousands(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}
