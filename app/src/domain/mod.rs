//! Value types shared by the server and the browser: no I/O here, only data and the rules that
//! make a value valid.

pub mod account;
pub mod doctor;
pub mod error;
pub mod money;
pub mod role;
pub mod specialty;

pub use account::{Email, FieldError, OtpCode, Phone, SessionUser, Username};
pub use doctor::{DoctorCard, DoctorProfile, FreeSlot, PublicReview};
pub use error::AppError;
pub use money::Money;
pub use role::UserRole;
pub use specialty::SpecialtySummary;
