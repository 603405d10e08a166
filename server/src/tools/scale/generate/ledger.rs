//! The wallet ledger: top-ups, payments and refunds in time order, each row with the balance
//! after it.

use chrono::{Duration, NaiveDateTime};

use super::rng::Rng;
use super::{Appointment, Doctor, LedgerEntry, LedgerKind, Person, Slot, Status};
use app::domain::format;

/// Every patient tops up on signing up; each booking pays from the wallet (topping up first when
/// the balance is short) and each cancellation refunds. Walking all of it in time order gives
/// every row its balance_after, and every patient's final balance.
pub(super) fn generate_ledger(
    patients: &[Person],
    appointments: &[Appointment],
    doctors: &[Doctor],
    slots: &[Slot],
) -> (Vec<LedgerEntry>, Vec<i64>) {
    #[derive(Clone, Copy)]
    enum Event {
        Opening(usize),
        Pay(usize),
        Refund(usize),
    }
    let mut rng = Rng::stream(5);
    let mut events: Vec<(NaiveDateTime, Event)> =
        Vec::with_capacity(patients.len() + appointments.len() * 2);
    for (index, patient) in patients.iter().enumerate() {
        events.push((
            patient.created_at + Duration::minutes(rng.range(10, 240)),
            Event::Opening(index),
        ));
    }
    for (index, appointment) in appointments.iter().enumerate() {
        events.push((appointment.booked_at, Event::Pay(index)));
        if appointment.status == Status::Cancelled {
            events.push((appointment.updated_at, Event::Refund(index)));
        }
    }
    // Stable: a refund keeps its place after its payment even at the same minute.
    events.sort_by_key(|(at, _)| *at);

    let mut balances = vec![0_i64; patients.len()];
    let mut ledger = Vec::with_capacity(events.len() + patients.len());
    let doctor_name = |a: &Appointment| {
        let person = &doctors[a.doctor].person;
        format::doctor_name(person.first, person.last)
    };
    for (at, event) in events {
        match event {
            Event::Opening(patient) => {
                let amount = rng.pick(&[5_000, 10_000, 10_000, 20_000, 30_000, 50_000]);
                balances[patient] += amount;
                ledger.push(LedgerEntry {
                    patient,
                    kind: LedgerKind::Deposit,
                    amount_cents: amount,
                    description: "Wallet top-up by card".to_owned(),
                    balance_after_cents: balances[patient],
                    appointment: None,
                    at,
                });
            }
            Event::Pay(index) => {
                let appointment = &appointments[index];
                let patient = appointment.patient;
                let short = appointment.fee_cents - balances[patient];
                if short > 0 {
                    // Rounded up to 50.00, sometimes with something to spare.
                    let top_up = (short + 4_999) / 5_000 * 5_000 + 5_000 * rng.range(0, 2);
                    balances[patient] += top_up;
                    ledger.push(LedgerEntry {
                        patient,
                        kind: LedgerKind::Deposit,
                        amount_cents: top_up,
                        description: "Wallet top-up by card".to_owned(),
                        balance_after_cents: balances[patient],
                        appointment: None,
                        at,
                    });
                }
                balances[patient] -= appointment.fee_cents;
                let slot = &slots[appointment.slot];
                ledger.push(LedgerEntry {
                    patient,
                    kind: LedgerKind::Payment,
                    amount_cents: -appointment.fee_cents,
                    description: format!(
                        "Appointment with {} on {} at {}",
                        doctor_name(appointment),
                        format::short_date(slot.starts_at().date()),
                        format::clock(slot.starts_at().time())
                    ),
                    balance_after_cents: balances[patient],
                    appointment: Some(index),
                    at,
                });
            }
            Event::Refund(index) => {
                let appointment = &appointments[index];
                let patient = appointment.patient;
                balances[patient] += appointment.fee_cents;
                ledger.push(LedgerEntry {
                    patient,
                    kind: LedgerKind::Refund,
                    amount_cents: appointment.fee_cents,
                    description: format!(
                        "Refund: appointment with {} cancelled",
                        doctor_name(appointment)
                    ),
                    balance_after_cents: balances[patient],
                    appointment: Some(index),
                    at,
                });
            }
        }
    }
    (ledger, balances)
}
