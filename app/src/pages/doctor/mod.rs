//! Pages for doctors: their own practice, time slots and reviews.

mod home;
mod practice;
mod reviews;
mod slots;

pub use home::DoctorHomePage;
pub use practice::PracticePage;
pub use reviews::DoctorReviewsPage;
pub use slots::DoctorSlotsPage;
