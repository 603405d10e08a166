//! Pages anyone can see, signed in or not.

mod doctor;
mod doctors;
mod home;

pub use doctor::{DoctorPage, PAGE_PARAMS as DOCTOR_PAGE_PARAMS};
pub use doctors::DoctorsPage;
pub use home::HomePage;
