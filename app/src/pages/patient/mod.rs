//! Pages for patients: their reviews.

mod reviews;

pub use reviews::PatientReviewsPage;
