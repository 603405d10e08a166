//! Widgets used by several pages.

pub mod feedback;
pub mod forms;
pub mod guards;
pub mod layout;
