//! What to generate: how many rows of each kind ([`ScalePlan`]), the shape of the slot window
//! and of the bookings (the constants), and the moment it is all generated around ([`Clock`]).

use anyhow::bail;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Slots run from this many days before today...
pub(super) const PAST_DAYS: i64 = 30;
/// ...to this many days after it (today included in neither count).
pub(super) const FUTURE_DAYS: i64 = 29;
pub(super) const SLOT_MINUTES: i64 = 30;
/// The most slots one doctor works in a day (eight hours, with breaks, ends before midnight).
pub(super) const MAX_SLOTS_A_DAY: usize = 16;
/// A doctor takes a half-hour break after this many slots in a row.
pub(super) const SLOTS_BEFORE_BREAK: usize = 4;
/// Share of appointments that are on slots already over.
pub(super) const PAST_SHARE: f64 = 0.75;
pub(super) const CANCELLED_PAST: f64 = 0.12;
pub(super) const CANCELLED_FUTURE: f64 = 0.05;

/// How much to generate. `for_scale(N)` is what the command line asks for; tests build smaller
/// plans directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalePlan {
    pub doctors: usize,
    pub patients: usize,
    pub slots: usize,
    pub appointments: usize,
    pub reviews: usize,
}

impl ScalePlan {
    /// N × (100 doctors, 200 patients, 10,000 slots, 2,000 appointments, 1,000 reviews).
    /// N may be a fraction (0.2 gives 20 doctors); every specialty is created whatever N is.
    pub fn for_scale(scale: f64) -> anyhow::Result<Self> {
        if !(scale.is_finite() && scale > 0.0 && scale <= 1000.0) {
            bail!("the scale must be a number above 0 and at most 1000, such as 1, 100 or 0.2");
        }
        let times = |base: f64| (base * scale).round() as usize;
        let plan = Self {
            doctors: times(100.0).max(1),
            patients: times(200.0).max(1),
            slots: times(10_000.0),
            appointments: times(2_000.0),
            reviews: times(1_000.0),
        };
        plan.check()?;
        Ok(plan)
    }

    /// Refuses plans whose numbers cannot all be met.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.doctors == 0 || self.patients == 0 {
            bail!("a plan needs at least one doctor and one patient");
        }
        let window = (PAST_DAYS + 1 + FUTURE_DAYS) as usize;
        // A doctor working six days a week has at least 51 working days in the window.
        if self.slots.div_ceil(self.doctors) > window * 6 / 7 * MAX_SLOTS_A_DAY {
            bail!(
                "{} slots for {} doctors is more than doctors can work in {window} days",
                self.slots,
                self.doctors
            );
        }
        // About half the slots are over; appointments need free past and future slots.
        if self.appointments > self.slots / 3 {
            bail!(
                "{} appointments need more than {} slots (at most a third are booked)",
                self.appointments,
                self.slots
            );
        }
        // Reviews are written after completed appointments, which are about 60% of them.
        if self.reviews > self.appointments / 2 {
            bail!(
                "{} reviews need more than {} appointments (at most half are reviewed)",
                self.reviews,
                self.appointments
            );
        }
        Ok(())
    }
}

/// The clinic's clock: local times for slots, instants for everything else.
pub(super) struct Clock {
    pub(super) time_zone: Tz,
    pub(super) now_local: NaiveDateTime,
}

impl Clock {
    /// The instant of a clinic-local time. In the autumn's repeated hour the first is taken;
    /// a time in the spring's skipped hour is read an hour later.
    pub(super) fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        self.time_zone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.time_zone
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_follows_the_scale() {
        let plan = ScalePlan::for_scale(100.0).expect("valid");
        assert_eq!(
            plan,
            ScalePlan {
                doctors: 10_000,
                patients: 20_000,
                slots: 1_000_000,
                appointments: 200_000,
                reviews: 100_000
            }
        );
        assert_eq!(ScalePlan::for_scale(0.2).expect("valid").doctors, 20);
        assert!(ScalePlan::for_scale(0.0).is_err());
        assert!(ScalePlan::for_scale(f64::NAN).is_err());
    }
}
