//! Pages for patients: their reviews.

mod home;
mod reviews;

pub use home::PatientHomePage;
pub use reviews::PatientReviewsPage;
