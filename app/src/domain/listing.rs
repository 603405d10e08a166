//! What every filtered, paged list shares: its URL parameters as typed, page numbers and page
//! counts, search text and date ranges parsed from the URL, the page a list answers with, and
//! the most rows an export holds.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::AppError;

/// Rows per page of the admin's lists that answer with a [`ListPage`].
pub const ROWS_PER_PAGE: i64 = 25;
/// The most rows one CSV export holds.
pub const EXPORT_LIMIT: i64 = 100_000;
/// The longest search text a filter accepts, in characters.
const MAX_SEARCH_CHARS: usize = 100;

/// One page of a list, with how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage<T> {
    pub rows: Vec<T>,
    pub matching: i64,
    pub page: i64,
    pub pages: i64,
    /// A fresh key for the forms of this page; each row's form adds its row's id.
    pub request_key: String,
}

impl<T> ListPage<T> {
    pub fn new(rows: Vec<T>, matching: i64, page: i64, request_key: String) -> Self {
        Self {
            rows,
            matching,
            page,
            pages: page_count(matching, ROWS_PER_PAGE),
            request_key,
        }
    }
}

/// A list's URL parameters exactly as they arrived (strings, parsed on the server into the
/// list's query). The page, the server function and the CSV download all take this one type.
pub trait ListParams: Sized {
    /// The filters by URL name, in the order links write them (the page left out).
    fn filters(&self) -> Vec<(&'static str, &str)>;

    /// The same filters on the first page: an export ignores the page it was linked from.
    fn without_page(self) -> Self;

    /// `name=value&…` of the filters, for links to other pages and to the CSV download.
    fn filter_query(&self) -> String {
        self.filters()
            .into_iter()
            .map(|(name, value)| format!("{name}={}", super::encode_query(value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Declares a list's URL parameters type: the filters named, in the order links write them, and
/// `page`, every one a string defaulting to empty (a missing parameter is an empty one), with its
/// [`ListParams`].
macro_rules! list_params {
    ($(#[$meta:meta])* pub struct $name:ident { $($filter:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(default)]
        pub struct $name {
            $(pub $filter: String,)+
            pub page: String,
        }

        impl $crate::domain::listing::ListParams for $name {
            fn filters(&self) -> Vec<(&'static str, &str)> {
                vec![$((stringify!($filter), &self.$filter)),+]
            }

            fn without_page(self) -> Self {
                Self {
                    page: String::new(),
                    ..self
                }
            }
        }
    };
}
pub(crate) use list_params;

/// A page number from the URL: empty means 1.
pub fn parse_page(text: &str) -> Result<i64, AppError> {
    match text.trim() {
        "" => Ok(1),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|page| (1..=100_000).contains(page))
            .ok_or_else(|| AppError::validation("page", "A page number is a whole number from 1.")),
    }
}

/// The number of pages `count` items fill, `per_page` at a time (at least one, maybe empty).
pub fn page_count(count: i64, per_page: i64) -> i64 {
    ((count + per_page - 1) / per_page).max(1)
}

/// A search box's text, trimmed, at most 100 characters, no control characters (`field` names
/// it in the error).
pub fn parse_search(text: &str, field: &str) -> Result<String, AppError> {
    super::text::parse_search(text, MAX_SEARCH_CHARS)
        .map_err(|message| AppError::validation(field, message))
}

/// `""` or `"all"` is no filter; anything else must be one of `choices` (by `as_str`).
pub fn parse_choice<T: Copy>(
    text: &str,
    choices: &[T],
    as_str: fn(T) -> &'static str,
    field: &str,
    message: &str,
) -> Result<Option<T>, AppError> {
    match text.trim() {
        "" | "all" => Ok(None),
        text => choices
            .iter()
            .copied()
            .find(|choice| as_str(*choice) == text)
            .map(Some)
            .ok_or_else(|| AppError::validation(field, message)),
    }
}

/// A range of clinic-local dates, both ends included; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// Parses `from` and `to` as typed (`2030-03-31`, or empty for open), refusing a range that
    /// runs backwards.
    pub fn parse(from: &str, to: &str) -> Result<Self, AppError> {
        let from = parse_day(from, "from", "the first day")?;
        let to = parse_day(to, "to", "the last day")?;
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(AppError::validation(
                "to",
                "The last day must be on or after the first day.",
            ));
        }
        Ok(Self { from, to })
    }
}

fn parse_day(text: &str, field: &str, what: &str) -> Result<Option<NaiveDate>, AppError> {
    match text.trim() {
        "" => Ok(None),
        text => super::format::parse_iso_date(text)
            .filter(|date| (2000..=2200).contains(&date.year()))
            .map(Some)
            .ok_or_else(|| {
                AppError::validation(field, format!("Enter {what} as a date like 2030-03-31."))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_and_parsed() {
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
        assert_eq!(parse_page(" ").expect("empty"), 1);
        assert_eq!(parse_page("3").expect("three"), 3);
        assert!(
            parse_page("0")
                .expect_err("zero")
                .message_for("page")
                .is_some()
        );
    }

    #[test]
    fn a_range_runs_forwards_and_names_the_bad_end() {
        let range = DateRange::parse("2030-01-01", "").expect("open end");
        assert_eq!(range.from, NaiveDate::from_ymd_opt(2030, 1, 1));
        let err = DateRange::parse("2030-02-01", "2030-01-01").expect_err("backwards");
        assert!(err.message_for("to").is_some());
        let err = DateRange::parse("1 March", "").expect_err("format");
        assert!(err.message_for("from").is_some());
    }
}
