//! The one place where the clinic's local dates and times become instants and back.
//!
//! Slots are stored as clinic-local `date` + `time` (as the design document models them); every
//! rule about "now" (past, horizon, booking notice) compares instants. Daylight-saving policy:
//! a local time that does not exist (the clocks go forward) has no instant, so no slot can start
//! or end there; a local time that happens twice (the clocks go back) means its first occurrence.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::ClinicSettings;

impl ClinicSettings {
    /// The instant of a clinic-local date and time: `None` when the clocks skip it, the first
    /// occurrence when they pass it twice.
    pub fn instant_of(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        self.tz
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    }

    /// The clinic's wall-clock time at `now`.
    pub fn local_time(&self, now: DateTime<Utc>) -> NaiveDateTime {
        now.with_timezone(&self.tz).naive_local()
    }

    /// The instant a clinic day starts: its midnight, or when the clocks skip midnight, the first
    /// hour that exists.
    pub fn start_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        (0..24)
            .find_map(|hour| self.instant_of(date, NaiveTime::from_hms_opt(hour, 0, 0)?))
            .unwrap_or_else(|| date.and_time(NaiveTime::MIN).and_utc())
    }

    /// The clinic's date at `now`.
    pub fn local_date(&self, now: DateTime<Utc>) -> NaiveDate {
        self.local_time(now).date()
    }

    /// The last date slots may be published on, seen from `now`.
    pub fn last_slot_date(&self, now: DateTime<Utc>) -> NaiveDate {
        self.local_date(now) + chrono::Days::new(u64::from(self.slot_horizon_days))
    }

    /// Whether a slot starting at this local date and time has started by `now`. A start the
    /// clocks skipped never exists as a slot; it counts as started so nothing acts on it.
    pub fn has_started(&self, date: NaiveDate, time: NaiveTime, now: DateTime<Utc>) -> bool {
        self.instant_of(date, time).is_none_or(|start| start <= now)
    }

    /// The earliest local wall-clock time a patient may still book a slot starting at, seen from
    /// `now`: slots starting sooner than the booking notice are shown as unavailable.
    pub fn bookable_from(&self, now: DateTime<Utc>) -> NaiveDateTime {
        self.local_time(now + self.booking_notice)
    }
}
