//! The doctor directory's search: its URL parameters, their parsed form, and the keyset cursor
//! that pages through the results.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::forms::FormCheck;
use super::{AppError, DoctorCard, Money, encode_query};

/// Doctors shown per page.
pub const PAGE_SIZE: usize = 20;
/// The count of matches stops here ("1,000+"), so counting stays cheap however many match.
pub const COUNT_CAP: i64 = 1000;
const MAX_NAME_CHARS: usize = 100;

/// The directory's URL parameters exactly as they arrived (a shared link, the back button, the
/// filter form). They are parsed on the server, where a bad one becomes a clear message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DirectoryParams {
    pub q: String,
    pub specialty: String,
    pub min_rating: String,
    pub max_fee: String,
    pub within: String,
    pub sort: String,
    pub after: String,
    pub before: String,
}

impl DirectoryParams {
    /// The names of the parameters, in the order links write them.
    pub const NAMES: [&'static str; 8] = [
        "q",
        "specialty",
        "min_rating",
        "max_fee",
        "within",
        "sort",
        "after",
        "before",
    ];

    /// Builds the parameters from a lookup of URL query values.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let value = |name: &str| get(name).unwrap_or_default();
        Self {
            q: value("q"),
            specialty: value("specialty"),
            min_rating: value("min_rating"),
            max_fee: value("max_fee"),
            within: value("within"),
            sort: value("sort"),
            after: value("after"),
            before: value("before"),
        }
    }

    fn value(&self, name: &str) -> &str {
        match name {
            "q" => &self.q,
            "specialty" => &self.specialty,
            "min_rating" => &self.min_rating,
            "max_fee" => &self.max_fee,
            "within" => &self.within,
            "sort" => &self.sort,
            "after" => &self.after,
            _ => &self.before,
        }
    }

    /// The same search on another page: `/doctors?...` with the filters kept and the cursor
    /// replaced. Empty parameters are left out, so links stay short.
    pub fn page_href(&self, after: Option<&str>, before: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = Self::NAMES[..6]
            .iter()
            .map(|name| (*name, self.value(name)))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        if let Some(cursor) = after {
            pairs.push(("after", cursor));
        }
        if let Some(cursor) = before {
            pairs.push(("before", cursor));
        }
        if pairs.is_empty() {
            return "/doctors".to_owned();
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(name, value)| format!("{name}={}", encode_query(value)))
            .collect();
        format!("/doctors?{}", query.join("&"))
    }
}

/// The orders the directory can list doctors in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DirectorySort {
    /// Best rated first; more reviews first among equal ratings.
    #[default]
    Rating,
    /// Lowest fee first.
    Fee,
    /// Most years of experience first.
    Experience,
    /// Whoever has the earliest free slot first; doctors with none come last.
    Soonest,
}

impl DirectorySort {
    pub const ALL: [DirectorySort; 4] = [Self::Rating, Self::Fee, Self::Experience, Self::Soonest];

    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "" | "rating" => Ok(Self::Rating),
            "fee" => Ok(Self::Fee),
            "experience" => Ok(Self::Experience),
            "soonest" => Ok(Self::Soonest),
            other => Err(format!(
                "{other:?} is not a sort order; choose rating, fee, experience or soonest."
            )),
        }
    }

    /// The URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rating => "rating",
            Self::Fee => "fee",
            Self::Experience => "experience",
            Self::Soonest => "soonest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Rating => "Best rated",
            Self::Fee => "Lowest fee",
            Self::Experience => "Most experienced",
            Self::Soonest => "Soonest available",
        }
    }
}

/// Where a result sits in a sort order: the sorted values of the row and its id, which breaks
/// ties. A page starts strictly after (or ends strictly before) one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    Rating {
        rating: Decimal,
        reviews: i32,
        id: i64,
    },
    Fee {
        fee: Decimal,
        id: i64,
    },
    Experience {
        years: i32,
        id: i64,
    },
    Soonest {
        next_free: Option<NaiveDateTime>,
        id: i64,
    },
}

const CURSOR_TIME_FORMAT: &str = "%Y%m%dT%H%M%S";

impl SortKey {
    /// The key of `card` in `sort`. `next_free` is the value the soonest sort orders by.
    pub fn of(sort: DirectorySort, card: &DoctorCard, next_free: Option<NaiveDateTime>) -> Self {
        match sort {
            DirectorySort::Rating => Self::Rating {
                rating: card.average_rating,
                reviews: card.total_reviews,
                id: card.id,
            },
            DirectorySort::Fee => Self::Fee {
                fee: card.consultation_fee,
                id: card.id,
            },
            DirectorySort::Experience => Self::Experience {
                years: card.experience_years,
                id: card.id,
            },
            DirectorySort::Soonest => Self::Soonest {
                next_free,
                id: card.id,
            },
        }
    }

    /// The cursor as it appears in a link: the values joined by `_`.
    pub fn encode(&self) -> String {
        match self {
            Self::Rating {
                rating,
                reviews,
                id,
            } => format!("{rating}_{reviews}_{id}"),
            Self::Fee { fee, id } => format!("{fee}_{id}"),
            Self::Experience { years, id } => format!("{years}_{id}"),
            Self::Soonest { next_free, id } => match next_free {
                Some(at) => format!("{}_{id}", at.format(CURSOR_TIME_FORMAT)),
                None => format!("none_{id}"),
            },
        }
    }

    /// Reads a cursor written by [`SortKey::encode`] for `sort`.
    pub fn decode(sort: DirectorySort, text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.split('_').collect();
        let id = parts.last()?.parse().ok()?;
        match (sort, parts.as_slice()) {
            (DirectorySort::Rating, [rating, reviews, _]) => Some(Self::Rating {
                rating: rating.parse().ok()?,
                reviews: reviews.parse().ok()?,
                id,
            }),
            (DirectorySort::Fee, [fee, _]) => Some(Self::Fee {
                fee: fee.parse().ok()?,
                id,
            }),
            (DirectorySort::Experience, [years, _]) => Some(Self::Experience {
                years: years.parse().ok()?,
                id,
            }),
            (DirectorySort::Soonest, [at, _]) => Some(Self::Soonest {
                next_free: match *at {
                    "none" => None,
                    at => Some(NaiveDateTime::parse_from_str(at, CURSOR_TIME_FORMAT).ok()?),
                },
                id,
            }),
            _ => None,
        }
    }
}

/// Which page of the results to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageCursor {
    First,
    /// The page that follows this row.
    After(SortKey),
    /// The page that comes before this row.
    Before(SortKey),
}

/// A directory search, parsed: every value is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Part of a doctor's name, trimmed; empty for any name.
    pub name: String,
    pub specialty_id: Option<i64>,
    pub min_rating: Option<Decimal>,
    pub max_fee: Option<Money>,
    /// Only doctors with a free slot starting within this many days.
    pub within_days: Option<i32>,
    pub sort: DirectorySort,
    pub page: PageCursor,
}

impl DirectoryQuery {
    /// Parses the URL parameters; every bad one is reported against its own name. Doctors
    /// publish times at most `horizon_days` ahead, so "free within" asks no further.
    pub fn parse(params: &DirectoryParams, horizon_days: u32) -> Result<Self, AppError> {
        let mut check = FormCheck::default();
        let name = check.field("q", parse_name_query(&params.q));
        let specialty_id = check.field("specialty", optional(&params.specialty, parse_specialty));
        let min_rating = check.field("min_rating", optional(&params.min_rating, parse_min_rating));
        let max_fee = check.field("max_fee", optional(&params.max_fee, Money::parse));
        let within_days = check.field(
            "within",
            optional(&params.within, |text| parse_within(text, horizon_days)),
        );
        let sort = check.field("sort", DirectorySort::parse(&params.sort));
        let page = sort.and_then(|sort| {
            check.field("page", parse_cursor(sort, &params.after, &params.before))
        });
        match (
            name,
            specialty_id,
            min_rating,
            max_fee,
            within_days,
            sort,
            page,
        ) {
            (
                Some(name),
                Some(specialty_id),
                Some(min_rating),
                Some(max_fee),
                Some(within_days),
                Some(sort),
                Some(page),
            ) => Ok(Self {
                name,
                specialty_id,
                min_rating,
                max_fee,
                within_days,
                sort,
                page,
            }),
            _ => Err(check.into_error()),
        }
    }
}

/// `None` for an empty parameter, else the parsed value.
fn optional<T>(
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else {
        parse(text).map(Some)
    }
}

fn parse_name_query(text: &str) -> Result<String, String> {
    super::text::parse_search(text, MAX_NAME_CHARS)
}

fn parse_specialty(text: &str) -> Result<i64, String> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| "Choose a specialty from the list.".to_owned())
}

fn parse_min_rating(text: &str) -> Result<Decimal, String> {
    let rating: Decimal = text
        .parse()
        .map_err(|_| format!("{text:?} is not a rating; use a number from 1 to 5."))?;
    if rating < Decimal::ONE || rating > Decimal::from(5) {
        return Err("The minimum rating is a number from 1 to 5.".to_owned());
    }
    Ok(rating)
}

fn parse_within(text: &str, horizon_days: u32) -> Result<i32, String> {
    let horizon = i32::try_from(horizon_days).unwrap_or(i32::MAX);
    let days = text
        .parse::<i32>()
        .map_err(|_| format!("{text:?} is not a number of days; choose 1 to {horizon}."))?;
    if days < 1 {
        return Err(format!("Choose availability within 1 to {horizon} days."));
    }
    if days > horizon {
        return Err(format!(
            "Doctors publish times at most {horizon} days ahead; choose 1 to {horizon} days."
        ));
    }
    Ok(days)
}

fn parse_cursor(sort: DirectorySort, after: &str, before: &str) -> Result<PageCursor, String> {
    let broken = || "This page link is out of date. Start again from the first page.".to_owned();
    match (after.trim(), before.trim()) {
        ("", "") => Ok(PageCursor::First),
        (after, "") => SortKey::decode(sort, after)
            .map(PageCursor::After)
            .ok_or_else(broken),
        ("", before) => SortKey::decode(sort, before)
            .map(PageCursor::Before)
            .ok_or_else(broken),
        _ => Err(broken()),
    }
}

/// How many doctors match, counted up to [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchCount {
    pub count: i64,
    /// True when the count stopped at the cap: at least this many match.
    pub capped: bool,
}

impl std::fmt::Display for MatchCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plus = if self.capped { "+" } else { "" };
        let noun = if self.count == 1 && !self.capped {
            "doctor"
        } else {
            "doctors"
        };
        write!(
            f,
            "{}{plus} {noun}",
            super::group_thousands(&self.count.to_string())
        )
    }
}

/// One page of directory results, with the cursors of its neighbours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryPage {
    pub doctors: Vec<DoctorCard>,
    pub matches: MatchCount,
    /// The `after` cursor of the next page, when there is one.
    pub next: Option<String>,
    /// The `before` cursor of the previous page, when there is one.
    pub previous: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> DirectoryParams {
        DirectoryParams::from_lookup(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    const HORIZON: u32 = 180;

    #[test]
    fn empty_parameters_mean_everyone_best_rated_first() {
        let query = DirectoryQuery::parse(&DirectoryParams::default(), HORIZON).expect("valid");
        assert_eq!(query.sort, DirectorySort::Rating);
        assert_eq!(query.page, PageCursor::First);
        assert_eq!(
            (query.specialty_id, query.min_rating, query.within_days),
            (None, None, None)
        );
    }

    #[test]
    fn every_bad_parameter_is_reported_against_its_name() {
        let err = DirectoryQuery::parse(
            &params(&[
                ("specialty", "cardio"),
                ("min_rating", "7"),
                ("max_fee", "-3"),
                ("within", "400"),
                ("sort", "price"),
            ]),
            HORIZON,
        )
        .expect_err("all invalid");
        for field in ["specialty", "min_rating", "max_fee", "within", "sort"] {
            assert!(err.message_for(field).is_some(), "no message for {field}");
        }
    }

    #[test]
    fn free_within_reaches_the_horizon_and_no_further() {
        let within = |days: &str, horizon| {
            DirectoryQuery::parse(&params(&[("within", days)]), horizon).map(|q| q.within_days)
        };
        assert_eq!(within("180", 180).expect("valid"), Some(180));
        assert_eq!(within("1", 180).expect("valid"), Some(1));
        let beyond = within("181", 180).expect_err("beyond the horizon");
        assert_eq!(
            beyond.message_for("within"),
            Some("Doctors publish times at most 180 days ahead; choose 1 to 180 days.".to_owned())
        );
        assert!(within("90", 60).is_err());
        for junk in ["0", "-3", "soon", "1e3"] {
            assert!(within(junk, 180).is_err(), "{junk}");
        }
    }

    #[test]
    fn cursors_round_trip_for_every_sort() {
        let at = NaiveDateTime::parse_from_str("2026-11-26 09:30:00", "%Y-%m-%d %H:%M:%S")
            .expect("literal");
        let keys = [
            SortKey::Rating {
                rating: "4.75".parse().expect("literal"),
                reviews: 12,
                id: 7,
            },
            SortKey::Fee {
                fee: "85.50".parse().expect("literal"),
                id: 8,
            },
            SortKey::Experience { years: 20, id: 9 },
            SortKey::Soonest {
                next_free: Some(at),
                id: 10,
            },
            SortKey::Soonest {
                next_free: None,
                id: 11,
            },
        ];
        for (sort, key) in [
            DirectorySort::Rating,
            DirectorySort::Fee,
            DirectorySort::Experience,
            DirectorySort::Soonest,
            DirectorySort::Soonest,
        ]
        .into_iter()
        .zip(keys)
        {
            assert_eq!(SortKey::decode(sort, &key.encode()), Some(key));
        }
    }

    #[test]
    fn a_cursor_of_another_sort_is_refused() {
        let err =
            DirectoryQuery::parse(&params(&[("sort", "fee"), ("after", "4.50_3_7")]), HORIZON)
                .expect_err("rating cursor on fee sort");
        assert!(err.message_for("page").is_some());
    }

    #[test]
    fn page_links_keep_filters_and_replace_the_cursor() {
        let search = params(&[("q", "Ann Lee"), ("sort", "fee"), ("after", "1_2")]);
        assert_eq!(
            search.page_href(Some("85.00_9"), None),
            "/doctors?q=Ann%20Lee&sort=fee&after=85.00_9"
        );
        assert_eq!(DirectoryParams::default().page_href(None, None), "/doctors");
    }

    #[test]
    fn counts_read_naturally() {
        let count = |count, capped| MatchCount { count, capped }.to_string();
        assert_eq!(count(1, false), "1 doctor");
        assert_eq!(count(37, false), "37 doctors");
        assert_eq!(count(1000, true), "1,000+ doctors");
    }
}
