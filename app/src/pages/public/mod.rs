//! Pages anyone can see, signed in or not.

mod doctor;
mod doctors;
mod home;

pub use doctor::DoctorPage;
pub use doctors::DoctorsPage;
pub use home::HomePage;
