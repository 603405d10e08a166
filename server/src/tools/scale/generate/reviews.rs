//! Reviews of a share of the completed appointments, rated after each doctor's profile.

use chrono::Duration;

use super::rng::Rng;
use super::words::{MIXED_COMMENTS, NEGATIVE_COMMENTS, POSITIVE_COMMENTS};
use super::{Appointment, Doctor, Review, Slot, Status};
use crate::tools::scale::plan::Clock;

pub(super) fn generate_reviews(
    count: usize,
    appointments: &[Appointment],
    doctors: &[Doctor],
    slots: &[Slot],
    clock: &Clock,
) -> Vec<Review> {
    let mut rng = Rng::stream(6);
    let mut completed: Vec<usize> = (0..appointments.len())
        .filter(|&i| appointments[i].status == Status::Completed)
        .collect();
    let mut reviews: Vec<Review> = rng
        .sample(&mut completed, count)
        .into_iter()
        .map(|index| {
            let appointment = &appointments[index];
            let rating = 1 + rng.weighted(doctors[appointment.doctor].ratings) as i16;
            let comments = match rating {
                5 | 4 => POSITIVE_COMMENTS,
                3 => MIXED_COMMENTS,
                _ => NEGATIVE_COMMENTS,
            };
            let end = slots[appointment.slot].ends_at();
            Review {
                appointment: index,
                rating,
                comment: if rng.chance(0.6) {
                    rng.pick(comments)
                } else {
                    ""
                },
                anonymous: rng.chance(0.15),
                at: (end + Duration::minutes(rng.range(30, 4 * 24 * 60))).min(clock.now_local),
            }
        })
        .collect();
    reviews.sort_by_key(|r| r.at);
    reviews
}
