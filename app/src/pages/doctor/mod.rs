//! Pages for doctors: their own practice, time slots and reviews.

mod practice;
mod reviews;
mod slots;

pub use practice::PracticePage;
pub use reviews::DoctorReviewsPage;
pub use slots::DoctorSlotsPage;
