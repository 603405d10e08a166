//! What a person is told once a change of theirs is made, one sentence per outcome. The
//! hydrated page shows it beside its form; after a plain form post (no bundle) the server
//! function leaves the same sentence for the next page (`api::notice`).

pub const SLOT_ADDED: &str = "The slot is added.";
pub const DETAILS_SAVED: &str = "Your details are saved.";
pub const PASSWORD_CHANGED: &str = "Your password is changed. Other devices have been signed out.";
pub const CODE_RESENT: &str = "A new code is on its way. The previous one no longer works.";
pub const RESET_CODE_SENT: &str =
    "If an account uses that address, a code is on its way. It works for 10 minutes.";
pub const PRACTICE_SAVED: &str = "Saved. New bookings use the new fee.";
