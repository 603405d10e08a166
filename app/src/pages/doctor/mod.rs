//! Pages for doctors: their own practice.

mod practice;

pub use practice::PracticePage;
