//! Pages for patients: booking, their appointments, the wallet and their reviews.

mod appointments;
mod booking;
mod home;
mod reviews;
mod wallet;

pub use appointments::{AppointmentPage, MyAppointmentsPage, ReschedulePage, StatusBadge};
pub use booking::BookPage;
pub use home::PatientHomePage;
pub use reviews::PatientReviewsPage;
pub use wallet::WalletPage;
