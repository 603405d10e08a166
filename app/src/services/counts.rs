//! Business events counted for monitoring (`/metrics`): bookings, payments and refunds.
//!
//! Each is counted inside its transaction once the work is done, so a request refused or
//! rolled back is not counted and a repeated request (the same request key) is counted once.
//! The commit follows at once; only a commit that itself fails (the database lost at that
//! instant) leaves one counted that did not happen. These are for rates and alerts: the ledger
//! and the payments table are the record.

/// A booking was made: confirmed and paid, or held for payment.
pub fn booked(paid_now: bool) {
    let outcome = if paid_now {
        "confirmed"
    } else {
        "awaiting_payment"
    };
    metrics::counter!("clinic_bookings_total", "outcome" => outcome).increment(1);
}

/// An appointment's fee was paid from a wallet.
pub fn paid() {
    metrics::counter!("clinic_payments_total").increment(1);
}

/// An appointment's fee (or part of it) went back to a wallet.
pub fn refunded() {
    metrics::counter!("clinic_refunds_total").increment(1);
}
