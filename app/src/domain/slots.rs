//! Time slots as doctors publish them: the single-slot and bulk forms, parsed; the pure
//! generator of a bulk plan's slots; and the week calendar and reports the pages show.
//!
//! Dates and times here are the clinic's local wall-clock values, exactly as stored. Turning
//! them into instants (past? daylight saving?) happens on the server, in `services::clock`.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use super::AppError;
use super::format;
use super::forms::FormCheck;

/// One bulk request creates at most this many slots (about a year of full days in 30-minute
/// slots would be 4,000; nobody plans that in one go, and one statement stays quick).
pub const MAX_BULK_SLOTS: usize = 2000;
/// A bulk plan spans at most this many days.
pub const MAX_PLAN_DAYS: u64 = 366;
/// The shortest and the longest slot, in minutes.
pub const SLOT_MINUTES: std::ops::RangeInclusive<u32> = 5..=480;
/// The longest gap between bulk slots, in minutes.
pub const MAX_GAP_MINUTES: u32 = 240;

/// A slot's place in the clinic's day: a date and a start strictly before its end, both in the
/// clinic's local time. A slot never crosses midnight (the database says the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawSlotTime")]
pub struct SlotTime {
    date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
}

#[derive(Deserialize)]
struct RawSlotTime {
    date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
}

impl TryFrom<RawSlotTime> for SlotTime {
    type Error = String;

    fn try_from(raw: RawSlotTime) -> Result<Self, String> {
        Self::new(raw.date, raw.start, raw.end)
    }
}

impl SlotTime {
    pub fn new(date: NaiveDate, start: NaiveTime, end: NaiveTime) -> Result<Self, String> {
        if end <= start {
            return Err("The end time must be after the start time.".to_owned());
        }
        Ok(Self { date, start, end })
    }

    /// Parses the single-slot form, reporting each problem beside its field.
    pub fn parse(date: &str, start: &str, end: &str) -> Result<Self, AppError> {
        let mut check = FormCheck::default();
        let date = check.field("date", parse_date(date, "the date"));
        let start = check.field("start_time", parse_time(start, "the start time"));
        let end = check.field("end_time", parse_time(end, "the end time"));
        match (date, start, end) {
            (Some(date), Some(start), Some(end)) => Self::new(date, start, end)
                .map_err(|message| AppError::validation("end_time", message)),
            _ => Err(check.into_error()),
        }
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    /// "Mon 2 Dec 09:00–09:30", as messages and reports name a slot.
    pub fn label(&self) -> String {
        format!(
            "{} {}–{}",
            format::short_day(self.date),
            format::clock(self.start),
            format::clock(self.end)
        )
    }
}

/// A date as a date input sends it (`2030-03-31`).
pub fn parse_date(text: &str, what: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("Enter {what}."));
    }
    super::format::parse_iso_date(text)
        .ok_or_else(|| format!("Enter {what} as a date like 2030-03-31."))
}

/// A time as a time input sends it (`09:30`, or `09:30:00`), to the minute.
pub fn parse_time(text: &str, what: &str) -> Result<NaiveTime, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("Enter {what}."));
    }
    super::format::parse_clock(text)
        .filter(|time| time.second() == 0 && time.nanosecond() == 0)
        .ok_or_else(|| format!("Enter {what} as hours and minutes, like 09:30."))
}

/// The weekdays in the order the form shows them, with their field names.
pub const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "mon", "Mon"),
    (Weekday::Tue, "tue", "Tue"),
    (Weekday::Wed, "wed", "Wed"),
    (Weekday::Thu, "thu", "Thu"),
    (Weekday::Fri, "fri", "Fri"),
    (Weekday::Sat, "sat", "Sat"),
    (Weekday::Sun, "sun", "Sun"),
];

/// The bulk form as typed: every value a string (or a ticked box), parsed on the server. It
/// travels back with a preview, so the "Create" step posts exactly what was previewed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPlanForm {
    pub from: String,
    pub to: String,
    /// Monday first. Posted as one box per day, named as in [`WEEKDAYS`] (`mon`…`sun`), which
    /// the browser sends only when it is ticked.
    #[serde(flatten, with = "ticked_boxes")]
    pub weekdays: [bool; 7],
    pub day_start: String,
    pub day_end: String,
    pub slot_minutes: String,
    /// The optional fields may be left out of the post altogether.
    #[serde(default)]
    pub break_start: String,
    #[serde(default)]
    pub break_end: String,
    #[serde(default)]
    pub gap_minutes: String,
}

/// The bulk form's weekday boxes as the form posts them: a day's name is present when ticked.
mod ticked_boxes {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Boxes {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mon: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tue: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wed: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thu: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fri: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sat: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sun: Option<String>,
    }

    pub fn serialize<S: Serializer>(days: &[bool; 7], serializer: S) -> Result<S::Ok, S::Error> {
        let ticked = |day: usize| days[day].then(|| "on".to_owned());
        Boxes {
            mon: ticked(0),
            tue: ticked(1),
            wed: ticked(2),
            thu: ticked(3),
            fri: ticked(4),
            sat: ticked(5),
            sun: ticked(6),
        }
        .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[bool; 7], D::Error> {
        let boxes = Boxes::deserialize(deserializer)?;
        Ok([
            boxes.mon, boxes.tue, boxes.wed, boxes.thu, boxes.fri, boxes.sat, boxes.sun,
        ]
        .map(|ticked| ticked.is_some()))
    }
}

/// A daily window, start strictly before end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    start: NaiveTime,
    end: NaiveTime,
}

impl Window {
    fn minutes(self) -> (u32, u32) {
        (minute_of_day(self.start), minute_of_day(self.end))
    }
}

fn minute_of_day(time: NaiveTime) -> u32 {
    time.hour() * 60 + time.minute()
}

fn time_of_minute(minute: u32) -> NaiveTime {
    // Callers stay below 24:00, so the fallback is never taken.
    NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or(NaiveTime::MIN)
}

/// A parsed bulk plan: a date range, the weekdays, the daily window, the slot length, an
/// optional break and an optional gap between slots. Valid by construction (and never
/// deserialized: it is only ever made by [`BulkPlan::parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkPlan {
    from: NaiveDate,
    to: NaiveDate,
    weekdays: [bool; 7],
    day: Window,
    slot_minutes: u32,
    /// A break in the day (lunch, say): no slot overlaps it.
    pause: Option<Window>,
    gap_minutes: u32,
}

impl BulkPlan {
    /// Parses the whole form, reporting every problem beside its field.
    pub fn parse(form: &BulkPlanForm) -> Result<Self, AppError> {
        let mut check = FormCheck::default();
        let from = check.field("from", parse_date(&form.from, "the first date"));
        let to = check.field("to", parse_date(&form.to, "the last date"));
        let (from, to) = match (from, to) {
            (Some(from), Some(to)) => {
                let range = if to < from {
                    Err("The last date must be on or after the first date.".to_owned())
                } else if from + Days::new(MAX_PLAN_DAYS) <= to {
                    Err(format!("Plan at most {MAX_PLAN_DAYS} days at a time."))
                } else {
                    Ok((from, to))
                };
                check.field("to", range).unzip()
            }
            _ => (None, None),
        };
        let weekdays = check.field(
            "weekdays",
            if form.weekdays.contains(&true) {
                Ok(form.weekdays)
            } else {
                Err("Choose at least one weekday.".to_owned())
            },
        );
        let day_start = check.field(
            "day_start",
            parse_time(&form.day_start, "when the day starts"),
        );
        let day_end = check.field("day_end", parse_time(&form.day_end, "when the day ends"));
        let day = match (day_start, day_end) {
            (Some(start), Some(end)) => check.field(
                "day_end",
                if end > start {
                    Ok(Window { start, end })
                } else {
                    Err("The day must end after it starts.".to_owned())
                },
            ),
            _ => None,
        };
        let slot_minutes = check.field("slot_minutes", parse_minutes(&form.slot_minutes));
        let pause = check.field("break_end", parse_break(&form.break_start, &form.break_end));
        let gap_minutes = check.field("gap_minutes", parse_gap(&form.gap_minutes));
        match (from, to, weekdays, day, slot_minutes, pause, gap_minutes) {
            (
                Some(from),
                Some(to),
                Some(weekdays),
                Some(day),
                Some(slot_minutes),
                Some(pause),
                Some(gap_minutes),
            ) => Ok(Self {
                from,
                to,
                weekdays,
                day,
                slot_minutes,
                pause,
                gap_minutes,
            }),
            _ => Err(check.into_error()),
        }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Every slot the plan makes, in time order, before any check against the clock or the
    /// existing slots. Refuses a plan that makes more than [`MAX_BULK_SLOTS`], or none.
    pub fn slots(&self) -> Result<Vec<SlotTime>, AppError> {
        let (day_start, day_end) = self.day.minutes();
        let pause = self.pause.map(Window::minutes);
        let mut slots = Vec::new();
        let mut date = self.from;
        while date <= self.to {
            if self.weekdays[date.weekday().num_days_from_monday() as usize] {
                let mut start = day_start;
                while start + self.slot_minutes <= day_end {
                    let end = start + self.slot_minutes;
                    if let Some((pause_start, pause_end)) = pause
                        && start < pause_end
                        && end > pause_start
                    {
                        // Start again when the break ends.
                        start = start.max(pause_end);
                        continue;
                    }
                    if slots.len() == MAX_BULK_SLOTS {
                        return Err(AppError::validation(
                            "",
                            format!(
                                "This plan makes more than {MAX_BULK_SLOTS} slots. Create them in smaller date ranges."
                            ),
                        ));
                    }
                    slots.push(SlotTime {
                        date,
                        start: time_of_minute(start),
                        end: time_of_minute(end),
                    });
                    start = end + self.gap_minutes;
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        if slots.is_empty() {
            return Err(AppError::validation(
                "",
                "This plan makes no slots: check the weekdays against the dates, and that a slot fits in the day's hours.",
            ));
        }
        Ok(slots)
    }
}

fn parse_minutes(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|minutes| SLOT_MINUTES.contains(minutes))
        .ok_or_else(|| {
            format!(
                "Enter the slot length in whole minutes, from {} to {}.",
                SLOT_MINUTES.start(),
                SLOT_MINUTES.end()
            )
        })
}

fn parse_gap(text: &str) -> Result<u32, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse::<u32>()
        .ok()
        .filter(|minutes| *minutes <= MAX_GAP_MINUTES)
        .ok_or_else(|| {
            format!(
                "Enter the gap in whole minutes, from 0 to {MAX_GAP_MINUTES}, or leave it empty."
            )
        })
}

fn parse_break(start: &str, end: &str) -> Result<Option<Window>, String> {
    match (start.trim().is_empty(), end.trim().is_empty()) {
        (true, true) => Ok(None),
        (false, true) | (true, false) => {
            Err("Give the break both a start and an end, or leave both empty.".to_owned())
        }
        (false, false) => {
            let start = parse_time(start, "when the break starts")?;
            let end = parse_time(end, "when the break ends")?;
            if end <= start {
                return Err("The break must end after it starts.".to_owned());
            }
            Ok(Some(Window { start, end }))
        }
    }
}

/// Parses the calendar's `?week=YYYY-MM-DD`: empty means this week.
pub fn parse_week(text: &str) -> Result<Option<NaiveDate>, AppError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_date(text, "the week")
        .map(Some)
        .map_err(|message| AppError::validation("week", message))
}

/// The Monday of the week that contains `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// How many slots a bulk request makes (or made) on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub date: NaiveDate,
    pub slots: u32,
}

/// Whether a bulk report is a preview or the record of what was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkStage {
    Preview,
    Created,
}

/// What a bulk plan makes: the slots per day, and every slot it leaves out with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkReport {
    pub stage: BulkStage,
    /// The plan as it was typed, so the "Create" step can post it again.
    pub plan: BulkPlanForm,
    /// Days with at least one slot, in date order.
    pub days: Vec<DayCount>,
    /// Left out because another slot of the doctor's overlaps them.
    pub overlapping: Vec<SlotTime>,
    /// Left out because they would start in the past.
    pub past: Vec<SlotTime>,
    /// Left out because their start or end does not exist that day: the clocks go forward.
    pub clocks_forward: Vec<SlotTime>,
}

impl BulkReport {
    /// How many slots the plan makes (or made).
    pub fn total(&self) -> u32 {
        self.days.iter().map(|day| day.slots).sum()
    }

    /// "1 slot", "40 slots".
    pub fn total_label(&self) -> String {
        plural(self.total(), "slot", "slots")
    }
}

/// Counts slots per day, for a time-ordered list.
pub fn count_by_day(slots: &[SlotTime]) -> Vec<DayCount> {
    let mut days: Vec<DayCount> = Vec::new();
    for slot in slots {
        match days.last_mut() {
            Some(day) if day.date == slot.date => day.slots += 1,
            _ => days.push(DayCount {
                date: slot.date,
                slots: 1,
            }),
        }
    }
    days
}

/// "1 slot" or "3 slots".
pub fn plural(count: u32, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// What deleting free slots did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteReport {
    pub deleted: u32,
    /// Free slots whose cancelled appointments are on record: deleting them would delete that
    /// history (appointments go with their slot), so they were marked unavailable instead.
    pub kept_with_history: u32,
    /// Booked slots, left in place.
    pub booked: u32,
    /// Slots that had already started, left in place as a record.
    pub started: u32,
}

impl DeleteReport {
    /// One sentence saying what happened, for the page.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!(
            "Deleted {}.",
            plural(self.deleted, "free slot", "free slots")
        )];
        if self.kept_with_history > 0 {
            parts.push(format!(
                "Kept {} with appointment history, marked unavailable.",
                self.kept_with_history
            ));
        }
        if self.booked > 0 {
            parts.push(format!(
                "{} booked: cancel those appointments to free them.",
                plural(self.booked, "slot is", "slots are")
            ));
        }
        if self.started > 0 {
            parts.push(format!(
                "{} already started and stay on record.",
                plural(self.started, "slot has", "slots have")
            ));
        }
        parts.join(" ")
    }
}

/// What a slot is, as its doctor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlotState {
    /// Patients can book it.
    Free,
    /// A patient has an appointment in it (pending, confirmed or completed).
    Booked { patient: String },
    /// The doctor has blocked it; it can be freed again.
    Unavailable,
    /// It has started without an appointment; nothing more can happen to it.
    Past,
}

impl SlotState {
    /// The word shown with the slot (the colour is never the only sign).
    pub fn label(&self) -> &'static str {
        match self {
            Self::Free => "Free",
            Self::Booked { .. } => "Booked",
            Self::Unavailable => "Unavailable",
            Self::Past => "Past",
        }
    }

    /// The CSS modifier of the slot's chip.
    pub fn class(&self) -> &'static str {
        match self {
            Self::Free => "slot-free",
            Self::Booked { .. } => "slot-booked",
            Self::Unavailable => "slot-unavailable",
            Self::Past => "slot-past",
        }
    }
}

/// One slot in the doctor's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSlot {
    pub id: i64,
    pub time: SlotTime,
    pub state: SlotState,
}

/// One day of the calendar, its slots in time order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub slots: Vec<CalendarSlot>,
}

impl CalendarDay {
    /// Whether "Delete free slots" has anything to act on.
    pub fn has_deletable(&self) -> bool {
        self.slots
            .iter()
            .any(|slot| matches!(slot.state, SlotState::Free | SlotState::Unavailable))
    }
}

/// A doctor's week, Monday to Sunday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekCalendar {
    pub doctor_id: i64,
    pub doctor_name: String,
    /// The clinic's date today, to highlight it.
    pub today: NaiveDate,
    /// Seven days from Monday.
    pub days: Vec<CalendarDay>,
}

impl WeekCalendar {
    pub fn monday(&self) -> Option<NaiveDate> {
        self.days.first().map(|day| day.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    fn week_form() -> BulkPlanForm {
        BulkPlanForm {
            // Monday 2 to Sunday 8 December 2030.
            from: "2030-12-02".into(),
            to: "2030-12-08".into(),
            weekdays: [true, true, true, true, true, false, false],
            day_start: "09:00".into(),
            day_end: "17:00".into(),
            slot_minutes: "30".into(),
            break_start: "12:00".into(),
            break_end: "13:00".into(),
            gap_minutes: String::new(),
        }
    }

    #[test]
    fn a_single_slot_ends_after_it_starts() {
        let slot = SlotTime::parse("2030-12-02", "09:00", "09:30").expect("valid");
        assert_eq!((slot.start(), slot.end()), (time(9, 0), time(9, 30)));
        let err = SlotTime::parse("2030-12-02", "09:30", "09:30").expect_err("empty");
        assert!(err.message_for("end_time").is_some());
        let err = SlotTime::parse("2.12.2030", "9h", "").expect_err("bad");
        for field in ["date", "start_time", "end_time"] {
            assert!(err.message_for(field).is_some(), "{field}");
        }
        assert!(SlotTime::parse("2030-12-02", "09:00:30", "10:00").is_err());
    }

    #[test]
    fn a_slot_time_cannot_be_built_backwards_even_by_deserializing() {
        let raw = RawSlotTime {
            date: date(2030, 12, 2),
            start: time(10, 0),
            end: time(9, 0),
        };
        assert!(SlotTime::try_from(raw).is_err());
    }

    #[test]
    fn a_working_week_with_lunch_makes_14_slots_a_day_and_none_at_noon() {
        let plan = BulkPlan::parse(&week_form()).expect("valid");
        let slots = plan.slots().expect("slots");
        assert_eq!(slots.len(), 5 * 14);
        let days = count_by_day(&slots);
        assert_eq!(days.len(), 5);
        assert!(days.iter().all(|day| day.slots == 14));
        assert!(
            slots
                .iter()
                .all(|s| s.start() < time(12, 0) || s.start() >= time(13, 0))
        );
        assert_eq!(slots[0].label(), "Mon 2 Dec 09:00–09:30");
        assert_eq!(slots.last().map(|s| s.date()), Some(date(2030, 12, 6)));
    }

    #[test]
    fn gaps_separate_slots_and_a_break_restarts_the_rhythm() {
        let plan = BulkPlan::parse(&BulkPlanForm {
            to: "2030-12-02".into(),
            day_end: "12:00".into(),
            slot_minutes: "45".into(),
            gap_minutes: "15".into(),
            break_start: "10:30".into(),
            break_end: "10:45".into(),
            ..week_form()
        })
        .expect("valid");
        let starts: Vec<String> = plan
            .slots()
            .expect("slots")
            .iter()
            .map(|s| format::clock(s.start()))
            .collect();
        assert_eq!(starts, ["09:00", "10:45"]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = BulkPlan::parse(&BulkPlanForm {
            from: "2030-12-08".into(),
            to: "2030-12-02".into(),
            weekdays: [false; 7],
            day_start: "17:00".into(),
            day_end: "09:00".into(),
            slot_minutes: "0".into(),
            break_start: "12:00".into(),
            break_end: String::new(),
            gap_minutes: "-5".into(),
        })
        .expect_err("invalid");
        for field in [
            "to",
            "weekdays",
            "day_end",
            "slot_minutes",
            "break_end",
            "gap_minutes",
        ] {
            assert!(err.message_for(field).is_some(), "{field}: {err:?}");
        }
    }

    #[test]
    fn plans_are_capped_and_must_make_something() {
        let huge = BulkPlan::parse(&BulkPlanForm {
            to: "2031-12-01".into(),
            weekdays: [true; 7],
            slot_minutes: "5".into(),
            ..week_form()
        })
        .expect("valid");
        assert!(
            huge.slots()
                .expect_err("too many")
                .to_string()
                .contains("2000")
        );
        // 2 December 2030 to 2 December 2031 is 366 days, the most allowed.
        assert!(
            BulkPlan::parse(&BulkPlanForm {
                to: "2031-12-02".into(),
                ..week_form()
            })
            .is_ok()
        );
        let too_long = BulkPlan::parse(&BulkPlanForm {
            to: "2031-12-03".into(),
            ..week_form()
        });
        assert!(too_long.expect_err("range").message_for("to").is_some());
        let weekend_only = BulkPlan::parse(&BulkPlanForm {
            weekdays: [true, false, false, false, false, false, false],
            from: "2030-12-03".into(),
            to: "2030-12-07".into(),
            ..week_form()
        })
        .expect("valid");
        assert!(weekend_only.slots().is_err());
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(date(2030, 12, 8)), date(2030, 12, 2));
        assert_eq!(week_start(date(2030, 12, 2)), date(2030, 12, 2));
        assert_eq!(parse_week("").expect("empty"), None);
        assert!(parse_week("soon").is_err());
    }

    #[test]
    fn delete_reports_say_what_happened() {
        let report = DeleteReport {
            deleted: 3,
            kept_with_history: 1,
            booked: 2,
            started: 0,
        };
        assert_eq!(
            report.summary(),
            "Deleted 3 free slots. Kept 1 with appointment history, marked unavailable. 2 slots are booked: cancel those appointments to free them."
        );
    }
}
