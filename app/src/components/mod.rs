//! Widgets used by several pages.

pub mod agenda;
pub mod calendar;
pub mod charts;
pub mod feedback;
pub mod forms;
pub mod guards;
pub mod layout;
pub mod lists;
pub mod notice;
pub mod ratings;
pub mod viewer;
