//! How dates, times and names are written for people and in files: one place, so a page, an
//! email and a CSV export never disagree about how a visit's day or a doctor's name reads.
//!
//! Dates and times here are the clinic's local ones (slots are stored that way); instants are
//! turned into local time by the caller before they are written.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// "Tue 3 Dec": lists and tables, where the year is plain from the context.
pub fn short_day(date: NaiveDate) -> String {
    date.format("%a %-d %b").to_string()
}

/// "Tue 3 Dec 2026".
pub fn short_day_year(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

/// "3 Dec 2026".
pub fn short_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// "3 Dec 2026 09:30": when a payment or a ledger row happened.
pub fn short_date_clock(at: NaiveDateTime) -> String {
    format!("{} {}", short_date(at.date()), clock(at.time()))
}

/// "3 Dec": a chart's axis.
pub fn short_day_month(date: NaiveDate) -> String {
    date.format("%-d %b").to_string()
}

/// "3 December".
pub fn day_month(date: NaiveDate) -> String {
    date.format("%-d %B").to_string()
}

/// "3 December 2026".
pub fn full_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// "3 December 2026, 09:30".
pub fn full_date_clock(at: NaiveDateTime) -> String {
    format!("{}, {}", full_date(at.date()), clock(at.time()))
}

/// "Tuesday 3 December": headings and sentences.
pub fn long_day(date: NaiveDate) -> String {
    date.format("%A %-d %B").to_string()
}

/// "Tuesday 3 December 2026": confirmations and emails, which are read later.
pub fn long_day_year(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// "December 2026".
pub fn month_year(date: NaiveDate) -> String {
    date.format("%B %Y").to_string()
}

/// "09:30".
pub fn clock(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

/// "09:30–10:00".
pub fn span(start: NaiveTime, end: NaiveTime) -> String {
    format!("{}–{}", clock(start), clock(end))
}

/// "Tue 3 Dec, 09:30": a moment in a list.
pub fn short_day_clock(at: NaiveDateTime) -> String {
    format!("{}, {}", short_day(at.date()), clock(at.time()))
}

/// "2026-12-03": links, form values and files.
pub fn iso_date(date: NaiveDate) -> String {
    date.format(ISO_DATE).to_string()
}

/// "2026-12-03 09:30": a moment in a table or a file.
pub fn iso_minute(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// "2026-12-03 09:30:15": the audit log, where the order of events within a minute matters.
pub fn iso_second(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// "20261203T093015Z": an instant in an iCalendar file (RFC 5545, UTC).
pub fn ics_instant(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

const ISO_DATE: &str = "%Y-%m-%d";

/// Reads "2026-12-03" (what `<input type="date">` sends and `iso_date` writes).
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, ISO_DATE).ok()
}

/// Reads "09:30" (what `<input type="time">` sends) or "09:30:00" (what some browsers send
/// when the field has a step).
pub fn parse_clock(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

/// "Dr. Ada Lovelace". The database writes the same with its `doctor_display_name` function
/// (migration 20261202000030), so a name read from SQL and one built here are equal.
pub fn doctor_name(first_name: &str, last_name: &str) -> String {
    format!("Dr. {first_name} {last_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).expect("a real date")
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("a real time")
    }

    #[test]
    fn days_read_as_people_write_them() {
        assert_eq!(short_day(day()), "Thu 3 Dec");
        assert_eq!(short_day_year(day()), "Thu 3 Dec 2026");
        assert_eq!(short_date(day()), "3 Dec 2026");
        assert_eq!(day_month(day()), "3 December");
        assert_eq!(short_day_month(day()), "3 Dec");
        assert_eq!(full_date(day()), "3 December 2026");
        assert_eq!(long_day(day()), "Thursday 3 December");
        assert_eq!(long_day_year(day()), "Thursday 3 December 2026");
        assert_eq!(month_year(day()), "December 2026");
    }

    #[test]
    fn times_and_spans_use_the_24_hour_clock() {
        assert_eq!(clock(at(9, 5)), "09:05");
        assert_eq!(span(at(9, 30), at(10, 0)), "09:30–10:00");
        let moment = day().and_time(at(14, 0));
        assert_eq!(short_day_clock(moment), "Thu 3 Dec, 14:00");
        assert_eq!(short_date_clock(moment), "3 Dec 2026 14:00");
        assert_eq!(full_date_clock(moment), "3 December 2026, 14:00");
    }

    #[test]
    fn files_get_sortable_forms_that_read_back() {
        assert_eq!(iso_date(day()), "2026-12-03");
        assert_eq!(parse_iso_date("2026-12-03"), Some(day()));
        assert_eq!(parse_iso_date("3 Dec 2026"), None);
        assert_eq!(parse_iso_date("2026-02-30"), None);
        let moment = day().and_hms_opt(9, 30, 15).expect("a real time");
        assert_eq!(iso_minute(moment), "2026-12-03 09:30");
        assert_eq!(iso_second(moment), "2026-12-03 09:30:15");
        assert_eq!(ics_instant(moment.and_utc()), "20261203T093015Z");
    }

    #[test]
    fn clock_input_with_or_without_seconds() {
        assert_eq!(parse_clock("09:30"), Some(at(9, 30)));
        assert_eq!(parse_clock("09:30:00"), Some(at(9, 30)));
        assert_eq!(parse_clock("9.30"), None);
        assert_eq!(parse_clock("25:00"), None);
    }

    #[test]
    fn a_doctor_is_named_with_their_title() {
        assert_eq!(doctor_name("Ada", "Lovelace"), "Dr. Ada Lovelace");
    }
}
