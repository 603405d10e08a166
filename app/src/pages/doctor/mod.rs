//! Pages for doctors: their own practice, time slots, appointments and reviews.

mod appointments;
mod home;
mod practice;
mod reviews;
mod slots;

pub use appointments::DoctorAppointmentsPage;
pub use home::DoctorHomePage;
pub use practice::PracticePage;
pub use reviews::DoctorReviewsPage;
pub use slots::DoctorSlotsPage;
