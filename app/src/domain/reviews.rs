//! Reviews and ratings as the pages show them: the review form, parsed; the star filter and page
//! of a doctor's reviews; the rating summary; and the patient's, doctor's and admin's lists.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::format;
use super::forms::FormCheck;
use super::listing::{list_params, parse_page, parse_search};
use super::{AppError, PublicReview};

/// The longest comment a review may carry (`reviews.comment` is TEXT: this is the only limit;
/// a few paragraphs, which the doctor's page shows whole).
pub const MAX_COMMENT_CHARS: usize = 2000;
/// The longest reason an admin gives for hiding a review (`reviews.hidden_reason` is TEXT).
pub const MAX_HIDE_REASON_CHARS: usize = 500;
/// The author can change a review for this many days after posting it.
pub const EDIT_WINDOW_DAYS: i64 = 7;
/// Reviews per page on the doctor's public page and the doctor's own list.
pub const REVIEWS_PER_PAGE: i64 = 10;
/// Reviews per page in the admin's list.
pub const ADMIN_REVIEWS_PER_PAGE: i64 = 20;
/// What the public sees instead of an anonymous review's author.
pub const ANONYMOUS_AUTHOR: &str = "Anonymous patient";

/// A star rating, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stars(i16);

impl Stars {
    pub fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<i16>()
            .ok()
            .and_then(|n| Self::try_from(n).ok())
            .ok_or_else(|| "Choose a rating from 1 to 5 stars.".to_owned())
    }

    pub fn get(self) -> i16 {
        self.0
    }
}

impl TryFrom<i16> for Stars {
    type Error = String;

    fn try_from(n: i16) -> Result<Self, String> {
        if (1..=5).contains(&n) {
            Ok(Self(n))
        } else {
            Err("Choose a rating from 1 to 5 stars.".to_owned())
        }
    }
}

/// "★★★★☆": a rating drawn in stars (pair it with a text equivalent for screen readers).
pub fn star_glyphs(rating: i16) -> String {
    let filled = rating.clamp(0, 5) as usize;
    format!("{}{}", "★".repeat(filled), "☆".repeat(5 - filled))
}

/// "1 star", "4 stars".
pub fn stars_in_words(rating: i16) -> String {
    if rating == 1 {
        "1 star".to_owned()
    } else {
        format!("{rating} stars")
    }
}

/// A review as its author writes it, parsed: a valid rating, a trimmed comment of at most
/// [`MAX_COMMENT_CHARS`] characters (it may be empty), and whether to post anonymously.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDraft {
    pub stars: Stars,
    pub comment: String,
    pub anonymous: bool,
}

impl ReviewDraft {
    /// Parses the review form, reporting each problem beside its field. A missing rating (no
    /// radio button chosen) arrives as `None`.
    pub fn parse(rating: Option<&str>, comment: &str, anonymous: bool) -> Result<Self, AppError> {
        let mut check = FormCheck::default();
        let stars = check.field("rating", Stars::parse(rating.unwrap_or_default()));
        let comment = check.field("comment", parse_comment(comment));
        match (stars, comment) {
            (Some(stars), Some(comment)) => Ok(Self {
                stars,
                comment,
                anonymous,
            }),
            _ => Err(check.into_error()),
        }
    }
}

fn parse_comment(text: &str) -> Result<String, String> {
    super::text::parse_free_text(text, MAX_COMMENT_CHARS, "The comment")
}

/// An admin's reason for hiding a review: required, at most [`MAX_HIDE_REASON_CHARS`].
pub fn parse_hide_reason(text: &str) -> Result<String, AppError> {
    if text.trim().is_empty() {
        return Err(AppError::validation(
            "reason",
            "Say why the review is hidden; its author can read the reason.",
        ));
    }
    super::text::parse_free_text(text, MAX_HIDE_REASON_CHARS, "The reason")
        .map_err(|message| AppError::validation("reason", message))
}

/// Which of a doctor's reviews to show: one star rating or all, and which page (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewFilter {
    pub stars: Option<Stars>,
    pub page: i64,
}

impl ReviewFilter {
    /// Parses the URL's `stars` and `page`; empty means all ratings and the first page.
    pub fn parse(stars: &str, page: &str) -> Result<Self, AppError> {
        let stars = match stars.trim() {
            "" => None,
            text => Some(Stars::parse(text).map_err(|m| AppError::validation("stars", m))?),
        };
        Ok(Self {
            stars,
            page: parse_page(page)?,
        })
    }
}

/// A doctor's rating at a glance: the kept average and count, and how many visible reviews gave
/// each star rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSummary {
    pub average: Decimal,
    pub total: i32,
    /// `counts[0]` is the number of 1-star reviews, ..., `counts[4]` of 5-star ones.
    pub counts: [i64; 5],
}

impl RatingSummary {
    /// The reviews that gave `stars`.
    pub fn count_of(&self, stars: i16) -> i64 {
        usize::try_from(stars - 1)
            .ok()
            .and_then(|i| self.counts.get(i).copied())
            .unwrap_or(0)
    }

    /// The share of reviews that gave `stars`, in whole percent (0 when there are none).
    pub fn percent_of(&self, stars: i16) -> i64 {
        let all: i64 = self.counts.iter().sum();
        if all == 0 {
            0
        } else {
            (self.count_of(stars) * 100 + all / 2) / all
        }
    }
}

/// One page of a doctor's public reviews, with the summary the page draws above them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorReviewsPage {
    pub summary: RatingSummary,
    pub reviews: Vec<PublicReview>,
    /// The star rating shown, or `None` for all.
    pub stars: Option<i16>,
    pub page: i64,
    pub pages: i64,
    /// How many reviews match the filter.
    pub matching: i64,
}

/// A completed appointment of the patient that has no review yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PendingReview {
    pub appointment_id: i64,
    pub doctor_id: i64,
    pub doctor_first_name: String,
    pub doctor_last_name: String,
    pub specialty: String,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
}

impl PendingReview {
    pub fn doctor_name(&self) -> String {
        format::doctor_name(&self.doctor_first_name, &self.doctor_last_name)
    }
}

/// A review as its own author sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OwnReview {
    pub id: i64,
    pub doctor_id: i64,
    pub doctor_first_name: String,
    pub doctor_last_name: String,
    pub rating: i16,
    pub comment: String,
    pub is_anonymous: bool,
    pub created_at: DateTime<Utc>,
    /// The last moment the author may change it.
    pub editable_until: DateTime<Utc>,
    /// The same moment on the clinic's clock, for showing.
    pub editable_until_local: NaiveDateTime,
    /// Still within the edit window and not hidden, at the time of the request.
    pub editable: bool,
    /// Why an admin hid it, when they did.
    pub hidden_reason: Option<String>,
}

impl OwnReview {
    pub fn doctor_name(&self) -> String {
        format::doctor_name(&self.doctor_first_name, &self.doctor_last_name)
    }
}

/// What the patient's reviews page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientReviews {
    pub pending: Vec<PendingReview>,
    pub reviews: Vec<OwnReview>,
}

/// A review of the signed-in doctor: the public author only, and whether an admin hid it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ReceivedReview {
    pub author: String,
    pub rating: i16,
    pub comment: String,
    pub date: NaiveDate,
    pub hidden_reason: Option<String>,
}

/// One page of the signed-in doctor's reviews, hidden ones included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedReviewsPage {
    pub summary: RatingSummary,
    pub reviews: Vec<ReceivedReview>,
    pub page: i64,
    pub pages: i64,
}

/// Which reviews the admin's list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visibility {
    #[default]
    All,
    Visible,
    Hidden,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [Self::All, Self::Visible, Self::Hidden];

    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text.trim() {
            "" | "all" => Ok(Self::All),
            "visible" => Ok(Self::Visible),
            "hidden" => Ok(Self::Hidden),
            _ => Err(AppError::validation(
                "show",
                "Show all, visible or hidden reviews.",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Visible => "visible",
            Self::Hidden => "hidden",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::All => "All reviews",
            Self::Visible => "Visible only",
            Self::Hidden => "Hidden only",
        }
    }
}

/// The admin's review search, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminReviewQuery {
    /// Part of the doctor's name; empty for every doctor.
    pub doctor: String,
    pub show: Visibility,
    pub page: i64,
}

list_params! {
    /// The admin's review list as its URL asks for it: `q` part of the doctor's name, `show`
    /// visible, hidden or all.
    pub struct AdminReviewParams { q, show }
}

impl AdminReviewQuery {
    pub fn parse(params: &AdminReviewParams) -> Result<Self, AppError> {
        Ok(Self {
            doctor: parse_search(&params.q, "q")?,
            show: Visibility::parse(&params.show)?,
            page: parse_page(&params.page)?,
        })
    }
}

/// A review in the admin's list. The author is shown as the public sees them: anonymity holds
/// for admins too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AdminReview {
    pub id: i64,
    pub doctor_id: i64,
    pub doctor_first_name: String,
    pub doctor_last_name: String,
    pub author: String,
    pub rating: i16,
    pub comment: String,
    pub created_at: DateTime<Utc>,
    pub hidden_at: Option<DateTime<Utc>>,
    pub hidden_reason: Option<String>,
    /// The username of the admin who hid it.
    pub hidden_by: Option<String>,
}

impl AdminReview {
    pub fn doctor_name(&self) -> String {
        format::doctor_name(&self.doctor_first_name, &self.doctor_last_name)
    }
}

/// One page of the admin's review list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminReviewPage {
    pub reviews: Vec<AdminReview>,
    pub page: i64,
    pub pages: i64,
    pub matching: i64,
}

/// A doctor whose kept rating did not match their reviews, as `recompute-ratings` found and fixed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingCorrection {
    pub doctor_id: i64,
    pub doctor_name: String,
    pub old_average: Decimal,
    pub old_total: i32,
    pub new_average: Decimal,
    pub new_total: i32,
}

impl std::fmt::Display for RatingCorrection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "doctor {} ({}): {:.2} from {} reviews -> {:.2} from {} reviews",
            self.doctor_id,
            self.doctor_name,
            self.old_average,
            self.old_total,
            self.new_average,
            self.new_total
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_stars() {
        for good in ["1", " 5 "] {
            assert!(Stars::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "0", "6", "-1", "4.5", "five"] {
            assert!(Stars::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_form_reports_rating_and_comment_beside_their_fields() {
        let err = ReviewDraft::parse(None, &"x".repeat(MAX_COMMENT_CHARS + 1), false)
            .expect_err("invalid");
        assert!(err.message_for("rating").is_some());
        assert!(
            err.message_for("comment")
                .expect("comment")
                .contains("2,000")
        );
        let draft = ReviewDraft::parse(Some("4"), "  Kind and clear. ", true).expect("valid");
        assert_eq!(
            (draft.stars.get(), draft.comment.as_str()),
            (4, "Kind and clear.")
        );
        // Exactly the limit is fine, counted in characters, not bytes.
        assert!(ReviewDraft::parse(Some("4"), &"é".repeat(MAX_COMMENT_CHARS), false).is_ok());
    }

    #[test]
    fn a_hiding_needs_a_reason() {
        assert!(parse_hide_reason("  ").is_err());
        assert!(parse_hide_reason(&"x".repeat(MAX_HIDE_REASON_CHARS + 1)).is_err());
        assert_eq!(parse_hide_reason(" Spam ").ok().as_deref(), Some("Spam"));
    }

    #[test]
    fn filters_and_pages() {
        assert_eq!(
            ReviewFilter::parse("", "").expect("defaults"),
            ReviewFilter {
                stars: None,
                page: 1
            }
        );
        assert!(ReviewFilter::parse("9", "").is_err());
        assert!(ReviewFilter::parse("", "0").is_err());
    }

    #[test]
    fn distribution_shares_round_to_whole_percent() {
        let summary = RatingSummary {
            average: Decimal::new(433, 2),
            total: 3,
            counts: [0, 0, 0, 2, 1],
        };
        assert_eq!(summary.count_of(5), 1);
        assert_eq!(summary.percent_of(4), 67);
        assert_eq!(summary.percent_of(5), 33);
        assert_eq!(summary.percent_of(1), 0);
        assert_eq!(star_glyphs(3), "★★★☆☆");
    }
}
