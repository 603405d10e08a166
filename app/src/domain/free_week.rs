//! A doctor's free times a week at a time, as the doctor's page shows them: Monday to Sunday in
//! the clinic's zone, from this week to the last week slots may be published in.
//!
//! The week in a link is its Monday (`?week=2027-01-04`), so a shared link keeps showing the
//! same days. Any date of the week works; a date that is not one, a week that has passed and a
//! week beyond the horizon each show the nearest week there is, with a sentence saying why.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::FreeSlot;
use super::format;

/// The days of one week that can hold free times: the week's dates from today (in the clinic's
/// zone) to the horizon's last date, never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekWindow {
    monday: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
    /// Whether an earlier week still has days ahead of today.
    has_previous: bool,
    /// Whether a later week has days within the horizon.
    has_next: bool,
}

/// What the `week` parameter said, once read against today and the horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekChoice {
    pub window: WeekWindow,
    /// Why the week shown is not the one asked for.
    pub problem: Option<String>,
}

/// The Monday of `date`'s week.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// What a page says when its `week` parameter is not a date.
pub const UNREADABLE_WEEK: &str = "That week link is not one we can read, so this week is shown.";

/// Whether a `week` parameter names a week at all: empty (this week) or a date, `YYYY-MM-DD`.
/// (A date in the past or beyond the horizon is readable: it is moved to the nearest week.)
pub fn readable(param: &str) -> bool {
    let param = param.trim();
    param.is_empty() || format::parse_iso_date(param).is_some()
}

impl WeekWindow {
    /// The week holding `date`, seen on `today` with slots published up to `last_date`. `date`
    /// must lie between the two; see [`WeekWindow::choose`] for a date from a link.
    fn holding(date: NaiveDate, today: NaiveDate, last_date: NaiveDate) -> Self {
        let monday = monday_of(date);
        let sunday = monday + Days::new(6);
        Self {
            monday,
            first: monday.max(today),
            last: sunday.min(last_date),
            has_previous: monday > today,
            has_next: sunday < last_date,
        }
    }

    /// The week a page asks for with its `week` parameter (empty: this week). A page forgives
    /// a link it cannot read (it shows this week and says so); the server function refuses one
    /// ([`readable`] tells them apart).
    pub fn choose(param: &str, today: NaiveDate, last_date: NaiveDate) -> WeekChoice {
        let this_week = |problem: &str| WeekChoice {
            window: Self::holding(today, today, last_date),
            problem: Some(problem.to_owned()),
        };
        let param = param.trim();
        if param.is_empty() {
            return WeekChoice {
                window: Self::holding(today, today, last_date),
                problem: None,
            };
        }
        let Some(date) = format::parse_iso_date(param) else {
            return this_week(UNREADABLE_WEEK);
        };
        if date < monday_of(today) {
            return this_week("That week has passed, so this week is shown.");
        }
        if date > last_date {
            return WeekChoice {
                window: Self::holding(last_date, today, last_date),
                problem: Some(format!(
                    "Times are published at most until {}, so the last week is shown.",
                    format::full_date(last_date)
                )),
            };
        }
        WeekChoice {
            window: Self::holding(date.max(today), today, last_date),
            problem: None,
        }
    }

    /// The week's Monday, as its links name it.
    pub fn monday(&self) -> NaiveDate {
        self.monday
    }

    /// The first day shown (today in this week, else the Monday).
    pub fn first(&self) -> NaiveDate {
        self.first
    }

    /// The last day shown (the horizon's last day in the last week, else the Sunday).
    pub fn last(&self) -> NaiveDate {
        self.last
    }

    /// The days shown, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        self.first.iter_days().take_while({
            let last = self.last;
            move |day| *day <= last
        })
    }

    /// The Monday of the week before, when it still has days ahead.
    pub fn previous(&self) -> Option<NaiveDate> {
        self.has_previous.then(|| self.monday - Days::new(7))
    }

    /// The Monday of the week after, when it lies within the horizon.
    pub fn next(&self) -> Option<NaiveDate> {
        self.has_next.then(|| self.monday + Days::new(7))
    }

    /// How the page heads the week: "This week", "Next week" or "Week of Mon 11 Jan".
    pub fn title(&self, today: NaiveDate) -> String {
        let this_monday = monday_of(today);
        if self.monday == this_monday {
            "This week".to_owned()
        } else if self.monday == this_monday + Days::new(7) {
            "Next week".to_owned()
        } else {
            format!("Week of {}", format::short_day(self.monday))
        }
    }
}

/// One week of a doctor's free times, and where the nearest ones are when it has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeWeek {
    pub window: WeekWindow,
    /// The clinic's date today, for the week's title.
    pub today: NaiveDate,
    /// The week's free times in time order, those too soon to book among them (marked).
    pub slots: Vec<FreeSlot>,
    /// The date of the first free time after this week, when the week has none.
    pub next_free: Option<NaiveDate>,
    /// The date of the first free time from now, when the week has none.
    pub first_free: Option<NaiveDate>,
    /// Why the week shown is not the one the link asked for.
    pub problem: Option<String>,
}

/// Where the page sends a patient from a week with no free times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmptyWeek {
    /// Later weeks have free times; the first is on this date.
    LaterOn(NaiveDate),
    /// Only earlier weeks have them; the first is on this date.
    EarlierOn(NaiveDate),
    /// The doctor has no free time anywhere in the horizon.
    NothingPublished,
}

impl FreeWeek {
    /// The week's days, each with its free times (possibly none), in order.
    pub fn days(&self) -> Vec<(NaiveDate, Vec<FreeSlot>)> {
        self.window
            .days()
            .map(|day| {
                let times = self
                    .slots
                    .iter()
                    .filter(|slot| slot.date == day)
                    .cloned()
                    .collect();
                (day, times)
            })
            .collect()
    }

    /// Where to look instead, when this week has no free time.
    pub fn empty(&self) -> Option<EmptyWeek> {
        if !self.slots.is_empty() {
            return None;
        }
        Some(match (self.next_free, self.first_free) {
            (Some(date), _) => EmptyWeek::LaterOn(date),
            (None, Some(date)) => EmptyWeek::EarlierOn(date),
            (None, None) => EmptyWeek::NothingPublished,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("date")
    }

    // 2027-01-06 is a Wednesday.
    const TODAY: &str = "2027-01-06";

    fn choose(param: &str, last: &str) -> WeekChoice {
        WeekWindow::choose(param, date(TODAY), date(last))
    }

    #[test]
    fn this_week_starts_today_and_runs_to_sunday() {
        let choice = choose("", "2027-07-05");
        assert_eq!(choice.problem, None);
        let week = choice.window;
        assert_eq!(week.monday(), date("2027-01-04"));
        assert_eq!(week.first(), date(TODAY));
        assert_eq!(week.last(), date("2027-01-10"));
        assert_eq!(week.days().count(), 5);
        assert_eq!(week.previous(), None);
        assert_eq!(week.next(), Some(date("2027-01-11")));
        assert_eq!(week.title(date(TODAY)), "This week");
    }

    #[test]
    fn any_day_of_a_later_week_shows_the_whole_week() {
        for day in ["2027-02-08", "2027-02-10", "2027-02-14"] {
            let week = choose(day, "2027-07-05").window;
            assert_eq!(week.monday(), date("2027-02-08"), "{day}");
            assert_eq!(week.first(), date("2027-02-08"));
            assert_eq!(week.last(), date("2027-02-14"));
            assert_eq!(week.days().count(), 7);
            assert_eq!(week.previous(), Some(date("2027-02-01")));
            assert_eq!(week.next(), Some(date("2027-02-15")));
            assert_eq!(week.title(date(TODAY)), "Week of Mon 8 Feb");
        }
        assert_eq!(
            choose("2027-01-11", "2027-07-05").window.title(date(TODAY)),
            "Next week"
        );
        // Next week's "previous" is this week, which still has days ahead.
        assert_eq!(
            choose("2027-01-11", "2027-07-05").window.previous(),
            Some(date("2027-01-04"))
        );
    }

    #[test]
    fn this_weeks_monday_before_today_still_means_this_week() {
        let choice = choose("2027-01-04", "2027-07-05");
        assert_eq!(choice.problem, None);
        assert_eq!(choice.window.first(), date(TODAY));
    }

    #[test]
    fn the_last_week_ends_at_the_horizon() {
        // The horizon's last date is a Tuesday: its week shows Monday and Tuesday only.
        let week = choose("2027-07-05", "2027-07-06").window;
        assert_eq!(week.first(), date("2027-07-05"));
        assert_eq!(week.last(), date("2027-07-06"));
        assert_eq!(week.days().count(), 2);
        assert_eq!(week.next(), None);
        assert!(week.previous().is_some());
        // A horizon on a Sunday: the week before it has no "next" beyond the Sunday.
        let week = choose("2027-07-01", "2027-07-04").window;
        assert_eq!(week.last(), date("2027-07-04"));
        assert_eq!(week.next(), None);
        // A horizon inside this week: one week only.
        let week = choose("", "2027-01-08").window;
        assert_eq!((week.previous(), week.next()), (None, None));
        assert_eq!(week.days().count(), 3);
    }

    #[test]
    fn bad_weeks_show_the_nearest_week_and_say_why() {
        let unreadable = choose("next", "2027-07-05");
        assert_eq!(unreadable.window.monday(), date("2027-01-04"));
        assert!(
            unreadable
                .problem
                .expect("a problem")
                .contains("not one we can read")
        );
        for junk in ["2027-02-30", "2027-1-4x", "'; DROP TABLE", "99999-01-01"] {
            assert!(choose(junk, "2027-07-05").problem.is_some(), "{junk}");
            assert!(!readable(junk), "{junk}");
        }
        assert!(readable("") && readable(" 2027-02-08 ") && readable("2020-01-01"));
        let past = choose("2026-12-28", "2027-07-05");
        assert_eq!(past.window.monday(), date("2027-01-04"));
        assert!(past.problem.expect("a problem").contains("has passed"));
        let beyond = choose("2027-09-01", "2027-07-05");
        assert_eq!(beyond.window.monday(), date("2027-07-05"));
        assert_eq!(beyond.window.last(), date("2027-07-05"));
        assert!(
            beyond
                .problem
                .expect("a problem")
                .contains("until 5 July 2027")
        );
    }

    fn slot(id: i64, day: &str) -> FreeSlot {
        FreeSlot {
            id,
            date: date(day),
            start_time: chrono::NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            end_time: chrono::NaiveTime::from_hms_opt(9, 30, 0).expect("time"),
            bookable: true,
        }
    }

    #[test]
    fn a_week_lists_every_day_and_an_empty_one_points_elsewhere() {
        let window = choose("2027-02-08", "2027-07-05").window;
        let mut week = FreeWeek {
            window,
            today: date(TODAY),
            slots: vec![
                slot(1, "2027-02-09"),
                slot(2, "2027-02-09"),
                slot(3, "2027-02-12"),
            ],
            next_free: None,
            first_free: None,
            problem: None,
        };
        let days = week.days();
        assert_eq!(days.len(), 7);
        assert_eq!(days[1].1.len(), 2);
        assert_eq!(days[4].1.len(), 1);
        assert!(days[0].1.is_empty());
        assert_eq!(week.empty(), None);

        week.slots.clear();
        assert_eq!(week.empty(), Some(EmptyWeek::NothingPublished));
        week.first_free = Some(date("2027-01-07"));
        assert_eq!(week.empty(), Some(EmptyWeek::EarlierOn(date("2027-01-07"))));
        week.next_free = Some(date("2027-03-02"));
        assert_eq!(week.empty(), Some(EmptyWeek::LaterOn(date("2027-03-02"))));
    }
}
