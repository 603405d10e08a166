//! Pages anyone can see, signed in or not.

mod doctors;
mod home;

pub use doctors::DoctorsPage;
pub use home::HomePage;
