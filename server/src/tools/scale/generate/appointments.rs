//! Appointments on a share of the slots, past and future, with their statuses; a booked slot is
//! taken unless the appointment was cancelled.

use chrono::Duration;

use super::rng::Rng;
use super::words::NOTES;
use super::{Appointment, Doctor, Slot, Status};
use crate::tools::scale::plan::{CANCELLED_FUTURE, CANCELLED_PAST, Clock, PAST_SHARE, ScalePlan};

pub(super) fn generate_appointments(
    plan: &ScalePlan,
    doctors: &[Doctor],
    slots: &mut [Slot],
    clock: &Clock,
) -> Vec<Appointment> {
    let mut rng = Rng::stream(4);
    let now = clock.now_local;
    // Slots in progress are neither: they are left alone.
    let mut past: Vec<usize> = (0..slots.len())
        .filter(|&i| slots[i].ends_at() <= now)
        .collect();
    let mut future: Vec<usize> = (0..slots.len())
        .filter(|&i| slots[i].starts_at() > now)
        .collect();
    let want_past = ((plan.appointments as f64 * PAST_SHARE).round() as usize).min(past.len());
    let want_future = (plan.appointments - want_past).min(future.len());
    let want_past = (plan.appointments - want_future).min(past.len());
    let chosen = rng
        .sample(&mut past, want_past)
        .into_iter()
        .chain(rng.sample(&mut future, want_future));

    // A fifth of the patients (the first) book far more often than the rest.
    let regulars = (plan.patients / 5).max(1);
    let mut appointments: Vec<Appointment> = chosen
        .map(|slot_index| {
            let slot = &slots[slot_index];
            let (start, end) = (slot.starts_at(), slot.ends_at());
            let patient = if rng.chance(0.2) {
                rng.below(regulars)
            } else {
                rng.below(plan.patients)
            };
            let booked_at = (start - Duration::minutes(rng.range(120, 14 * 24 * 60)))
                .min(now - Duration::minutes(rng.range(1, 180)));
            let is_past = end <= now;
            let cancelled = rng.chance(if is_past {
                CANCELLED_PAST
            } else {
                CANCELLED_FUTURE
            });
            let (status, updated_at) = if cancelled {
                let limit = start.min(now);
                let span = (limit - booked_at).num_minutes().max(1);
                (
                    Status::Cancelled,
                    booked_at + Duration::minutes(rng.range(1, span)),
                )
            } else if is_past {
                (
                    Status::Completed,
                    (end + Duration::minutes(rng.range(5, 60))).min(now),
                )
            } else {
                (Status::Confirmed, booked_at)
            };
            Appointment {
                patient,
                doctor: slot.doctor,
                slot: slot_index,
                status,
                fee_cents: doctors[slot.doctor].fee_cents,
                notes: if rng.chance(0.3) { rng.pick(NOTES) } else { "" },
                booked_at,
                updated_at,
            }
        })
        .collect();
    for appointment in &appointments {
        // A cancelled booking gave its slot back.
        if appointment.status != Status::Cancelled {
            slots[appointment.slot].available = false;
        }
    }
    appointments.sort_by_key(|a| a.booked_at);
    appointments
}
