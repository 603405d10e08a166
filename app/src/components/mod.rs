//! Widgets used by several pages.

pub mod calendar;
pub mod feedback;
pub mod forms;
pub mod guards;
pub mod layout;
pub mod ratings;
