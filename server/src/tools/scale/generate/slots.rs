//! The doctors' time slots over the window of days around today.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use super::rng::Rng;
use super::{Doctor, Slot};
use crate::tools::scale::plan::{
    Clock, FUTURE_DAYS, MAX_SLOTS_A_DAY, PAST_DAYS, SLOT_MINUTES, SLOTS_BEFORE_BREAK,
};

/// Each doctor works some days of the week, a block of consecutive slots from the same time each
/// day with a break every few slots; the slots are spread evenly over those days in the window.
/// Rows come in the order a clinic would add them: day by day, each doctor's together.
pub(super) fn generate_slots(count: usize, doctors: &[Doctor], clock: &Clock) -> Vec<Slot> {
    let mut rng = Rng::stream(3);
    let today = clock.now_local.date();
    let window: Vec<NaiveDate> = (-PAST_DAYS..=FUTURE_DAYS)
        .map(|offset| today + Duration::days(offset))
        .collect();
    let weekdays = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
    ];
    let mut slots = Vec::with_capacity(count);
    for doctor in 0..doctors.len() {
        // Spread the remainder over the first doctors: counts add up to `count` exactly.
        let mine = count / doctors.len() + usize::from(doctor < count % doctors.len());
        let mut order: Vec<usize> = (0..weekdays.len()).collect();
        let mut works = 2 + rng.below(4);
        let days = loop {
            let chosen = &rng.sample(&mut order, works);
            let days: Vec<NaiveDate> = window
                .iter()
                .copied()
                .filter(|d| chosen.iter().any(|&w| weekdays[w] == d.weekday()))
                .collect();
            // ScalePlan::check keeps six days a week enough.
            if days.len() * MAX_SLOTS_A_DAY >= mine || works == weekdays.len() {
                break days;
            }
            works += 1;
        };
        let first_start = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default()
            + Duration::minutes(SLOT_MINUTES * rng.range(0, 12));
        let publish_minutes = rng.range(0, 600);
        for (index, date) in days.iter().enumerate() {
            let on_day = mine * (index + 1) / days.len() - mine * index / days.len();
            let mut start = first_start;
            for n in 0..on_day.min(MAX_SLOTS_A_DAY) {
                if n > 0 && n.is_multiple_of(SLOTS_BEFORE_BREAK) {
                    start += Duration::minutes(SLOT_MINUTES);
                }
                slots.push(Slot {
                    doctor,
                    date: *date,
                    start,
                    available: true,
                    // Published four weeks ahead.
                    created_at: (*date - Duration::days(28)).and_time(NaiveTime::MIN)
                        + Duration::minutes(6 * 60 + publish_minutes),
                });
                start += Duration::minutes(SLOT_MINUTES);
            }
        }
    }
    slots.sort_by_key(|s| (s.date, s.doctor, s.start));
    slots
}
