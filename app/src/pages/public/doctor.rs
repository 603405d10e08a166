//! A doctor's page: who they are, what patients say, and when they are free. The week of free
//! times and the reviews' star filter and page live in the URL (`?week=2027-01-04&stars=5`), so
//! they work as plain links, without JavaScript too, and a link changing one keeps the others.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

use crate::api::directory::{doctor_week, get_doctor};
use crate::api::reviews::doctor_reviews;
use crate::components::feedback::Loading;
use crate::components::lists::Pager;
use crate::components::ratings::{RatingSummaryPanel, Stars};
use crate::domain::format;
use crate::domain::free_week::{self, EmptyWeek, FreeWeek, monday_of};
use crate::domain::reviews::{DoctorReviewsPage, stars_in_words};
use crate::domain::{AppError, DoctorProfile, FreeSlot, PublicReview, encode_query};

/// The names of the doctor page's URL parameters: the page reads no others (the server's page
/// cache keys pages by these alone).
pub const PAGE_PARAMS: [&str; 3] = ["week", "stars", "page"];

/// The doctor page's own URL parameters, as the page's links keep them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PageQuery {
    week: String,
    stars: String,
    page: String,
}

impl PageQuery {
    fn read(query: &ParamsMap) -> Self {
        let value = |name: &str| query.get(name).unwrap_or_default();
        Self {
            week: value("week"),
            stars: value("stars"),
            page: value("page"),
        }
    }

    /// The same page showing the week starting `monday`.
    fn with_week(&self, monday: NaiveDate) -> Self {
        Self {
            week: format::iso_date(monday),
            ..self.clone()
        }
    }

    /// The same page showing reviews with `stars` (or all) on `page`.
    fn with_reviews(&self, stars: Option<i16>, page: i64) -> Self {
        Self {
            stars: stars.map(|n| n.to_string()).unwrap_or_default(),
            page: if page > 1 {
                page.to_string()
            } else {
                String::new()
            },
            ..self.clone()
        }
    }

    /// This doctor's page with these parameters (empty ones left out), at `anchor`.
    fn href(&self, doctor_id: i64, anchor: &str) -> String {
        let pairs: Vec<String> = [
            ("week", &self.week),
            ("stars", &self.stars),
            ("page", &self.page),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_query(value)))
        .collect();
        if pairs.is_empty() {
            format!("/doctors/{doctor_id}#{anchor}")
        } else {
            format!("/doctors/{doctor_id}?{}#{anchor}", pairs.join("&"))
        }
    }
}

#[component]
pub fn DoctorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let doctor = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_doctor(id).await,
            None => Err(AppError::NotFound("This doctor".to_owned())),
        }
    });
    // Created here with the doctor's, never inside the profile once it has loaded: a resource
    // made inside a suspended view can be made more than once on the server, and hydration
    // would then read another resource's data (a page that dies in the browser).
    let query = use_query_map();
    let reviews = Resource::new(
        move || {
            let query = query.read();
            (
                id(),
                query.get("stars").unwrap_or_default(),
                query.get("page").unwrap_or_default(),
            )
        },
        |(id, stars, page)| async move {
            match id {
                Some(id) => doctor_reviews(id, stars, page).await,
                None => Err(AppError::NotFound("This doctor".to_owned())),
            }
        },
    );

    let week = Resource::new(
        move || (id(), query.read().get("week").unwrap_or_default()),
        |(id, asked)| async move {
            // A link we cannot read shows this week, with a word on why.
            let readable = free_week::readable(&asked);
            let week = if readable { asked } else { String::new() };
            match id {
                Some(id) => doctor_week(id, week).await.map(|mut week| {
                    if !readable {
                        week.problem = Some(free_week::UNREADABLE_WEEK.to_owned());
                    }
                    week
                }),
                None => Err(AppError::NotFound("This doctor".to_owned())),
            }
        },
    );

    view! {
        <section class="container section">
            <Suspense fallback=|| view! { <Loading label="Loading the doctor…" /> }>
                {move || Suspend::new(async move {
                    match doctor.await {
                        Ok(profile) => view! { <Profile profile week reviews /> }.into_any(),
                        Err(AppError::NotFound(_)) => view! { <crate::pages::NotFound /> }.into_any(),
                        Err(err) => view! { <div class="panel panel-error" role="alert">{err.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Profile(
    profile: DoctorProfile,
    week: Resource<Result<FreeWeek, AppError>>,
    reviews: Resource<Result<DoctorReviewsPage, AppError>>,
) -> impl IntoView {
    let card = profile.card;
    let name = card.display_name();
    let rating = if card.total_reviews == 0 {
        "No reviews yet".to_owned()
    } else {
        format!(
            "★ {:.1} from {} reviews",
            card.average_rating, card.total_reviews
        )
    };
    view! {
        <Title text=name.clone() />
        <p class="breadcrumbs"><a href="/doctors">"Find a doctor"</a> " › " {card.specialty.clone()}</p>
        <div class="doctor-profile">
            <div class="panel doctor-summary">
                <div class="avatar avatar-large" aria-hidden="true">
                    {card.first_name.chars().next()}
                    {card.last_name.chars().next()}
                </div>
                <div>
                    <h1>{name}</h1>
                    <p class="muted">
                        {card.specialty.clone()} " · " {card.experience_years} " years of experience"
                    </p>
                    <p class="rating">{rating}</p>
                    <p class="fee">{card.fee().to_string()} <span class="muted">" per consultation"</span></p>
                </div>
            </div>
            <div class="panel">
                <h2>"About"</h2>
                <p class="bio">{profile.bio}</p>
            </div>
            <FreeTimes doctor_id=card.id week />
            <ReviewsSection doctor_id=card.id reviews />
        </div>
    }
}

/// The week of free times the URL asks for, with links to the weeks around it.
#[component]
fn FreeTimes(doctor_id: i64, week: Resource<Result<FreeWeek, AppError>>) -> impl IntoView {
    let query = use_query_map();
    view! {
        <div class="panel slots-panel" id="free-times">
            <h2>"Free times"</h2>
            <Suspense fallback=|| view! { <Loading label="Loading free times…" /> }>
                {move || Suspend::new(async move {
                    let shown = week.await;
                    // Read here, so the week's links follow a change of the reviews' filter.
                    let query = PageQuery::read(&query.read());
                    match shown {
                        Ok(week) => view! { <Week doctor_id week query /> }.into_any(),
                        Err(err) => view! {
                            <div class="alert alert-error" role="alert">
                                <p>{err.to_string()}</p>
                                <a href=format!("/doctors/{doctor_id}#free-times")>"Show this week"</a>
                            </div>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Week(doctor_id: i64, week: FreeWeek, query: PageQuery) -> impl IntoView {
    let window = week.window;
    let week_href = |monday: NaiveDate| query.with_week(monday).href(doctor_id, "free-times");
    let title = window.title(week.today);
    let span = format!(
        "{} – {}",
        format::short_day(window.first()),
        format::short_day(window.last())
    );
    let previous = window.previous().map(|monday| {
        view! { <a class="btn btn-secondary" rel="prev" href=week_href(monday)>"← Previous week"</a> }
    });
    let next = window.next().map(|monday| {
        view! { <a class="btn btn-secondary" rel="next" href=week_href(monday)>"Next week →"</a> }
    });
    let elsewhere = week.empty().map(|empty| match empty {
        EmptyWeek::LaterOn(date) => view! {
            <p class="free-week-empty">
                "No free times this week. "
                <a href=week_href(monday_of(date))>{format!("First free time after it: {}", format::long_day(date))}</a>
            </p>
        }
        .into_any(),
        EmptyWeek::EarlierOn(date) => view! {
            <p class="free-week-empty">
                "No free times this week or later. "
                <a href=week_href(monday_of(date))>{format!("First free time: {}", format::long_day(date))}</a>
            </p>
        }
        .into_any(),
        EmptyWeek::NothingPublished => {
            view! { <p class="free-week-empty muted">"No free times published yet."</p> }.into_any()
        }
    });
    let nothing_at_all = week.empty() == Some(EmptyWeek::NothingPublished);
    let days = week.days();
    view! {
        {week.problem.map(|problem| view! { <p class="alert alert-info" role="status">{problem}</p> })}
        {(!nothing_at_all).then(|| view! {
            <nav class="free-week-nav" aria-label="Weeks of free times">
                <span class="free-week-previous">{previous}</span>
                <p class="free-week-title"><strong>{title}</strong><span class="muted small">{span}</span></p>
                <span class="free-week-next">{next}</span>
            </nav>
        })}
        {elsewhere}
        {(!nothing_at_all).then(|| view! { <WeekDays days /> })}
    }
}

/// The week's days, each with its free times or a word that it has none.
#[component]
fn WeekDays(days: Vec<(NaiveDate, Vec<FreeSlot>)>) -> impl IntoView {
    view! {
        <ul class="slot-days">
            {days
                .into_iter()
                .map(|(date, list)| {
                    let day = format::long_day(date);
                    let times = if list.is_empty() {
                        view! { <p class="muted small">"No free times"</p> }.into_any()
                    } else {
                        view! {
                            <ul class="slot-times" aria-label=format!("Free times on {day}")>
                                {list.into_iter().map(|slot| view! { <SlotTime free=slot /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    };
                    view! {
                        <li>
                            <h3>{day.clone()}</h3>
                            {times}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn SlotTime(free: FreeSlot) -> impl IntoView {
    let slot = free;
    let time = format::clock(slot.start_time);
    let until = format!(" to {}", format::clock(slot.end_time));
    if slot.bookable {
        view! {
            <li class="slot slot-bookable">
                // The name begins with the text the link shows ("09:00 Book"), so someone
                // who says what they see to voice control reaches it (WCAG 2.5.3).
                <a class="slot-book" href=format!("/book/{}", slot.id)
                    aria-label=format!(
                        "{time} Book, until {} on {}",
                        format::clock(slot.end_time),
                        format::long_day(slot.date),
                    )>
                    {time.clone()}<span class="slot-book-label">" Book"</span>
                </a>
            </li>
        }
        .into_any()
    } else {
        view! {
            <li class="slot slot-too-soon" title="Too soon to book online">
                {time}
                <span class="visually-hidden">{until}", too soon to book online"</span>
            </li>
        }
        .into_any()
    }
}

/// The rating summary and one page of reviews, read again when the filter or page changes.
#[component]
fn ReviewsSection(
    doctor_id: i64,
    reviews: Resource<Result<DoctorReviewsPage, AppError>>,
) -> impl IntoView {
    let query = use_query_map();
    view! {
        <div class="panel reviews-panel" id="reviews">
            <h2>"What patients say"</h2>
            <Suspense fallback=|| view! { <Loading label="Loading reviews…" /> }>
                {move || Suspend::new(async move {
                    let shown = reviews.await;
                    // Read here, so the reviews' links follow a change of week.
                    let query = PageQuery::read(&query.read());
                    match shown {
                        Ok(page) => view! { <ReviewsPage doctor_id page query /> }.into_any(),
                        Err(err) => view! {
                            <div class="alert alert-error" role="alert">
                                <p>{err.to_string()}</p>
                                <a href=format!("/doctors/{doctor_id}#reviews")>"Show all reviews"</a>
                            </div>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ReviewsPage(doctor_id: i64, page: DoctorReviewsPage, query: PageQuery) -> impl IntoView {
    let stars = page.stars;
    let reviews_href = {
        let query = query.clone();
        move |stars: Option<i16>, page: i64| {
            query.with_reviews(stars, page).href(doctor_id, "reviews")
        }
    };
    let filter_href = Callback::new({
        let reviews_href = reviews_href.clone();
        move |stars: i16| reviews_href(Some(stars), 1)
    });
    let pager_href = Callback::new({
        let reviews_href = reviews_href.clone();
        move |n: i64| reviews_href(stars, n)
    });
    let has_reviews = page.summary.counts.iter().sum::<i64>() > 0;
    let chips = (1..=5)
        .rev()
        .map(|n: i16| {
            let current = stars == Some(n);
            view! {
                <a class="chip" class:chip-current=current
                    aria-current=current.then_some("true")
                    href=reviews_href(Some(n), 1)>
                    {format!("{n} ★")}
                    <span class="visually-hidden">{format!(" ({})", stars_in_words(n))}</span>
                </a>
            }
        })
        .collect_view();
    let shown = match stars {
        Some(n) => format!(
            "{} with {}",
            if page.matching == 1 {
                "1 review".to_owned()
            } else {
                format!("{} reviews", page.matching)
            },
            stars_in_words(n)
        ),
        None => "Newest first".to_owned(),
    };
    view! {
        <RatingSummaryPanel summary=page.summary.clone() filter_href />
        {has_reviews.then(|| view! {
            <nav class="chips" aria-label="Filter reviews by rating">
                <a class="chip" class:chip-current=stars.is_none()
                    aria-current=stars.is_none().then_some("true")
                    href=reviews_href(None, 1)>"All"</a>
                {chips}
            </nav>
            <p class="muted small" role="status">{shown}</p>
        })}
        <Reviews reviews=page.reviews filtered=stars.is_some() />
        <Pager page=page.page pages=page.pages href=pager_href label="Review pages" newest_first=true />
    }
}

#[component]
fn Reviews(reviews: Vec<PublicReview>, filtered: bool) -> impl IntoView {
    if reviews.is_empty() {
        let text = if filtered {
            "No reviews with this rating."
        } else {
            "No reviews yet."
        };
        return view! { <p class="muted">{text}</p> }.into_any();
    }
    view! {
        <ul class="reviews">
            {reviews
                .into_iter()
                .map(|review| view! {
                    <li class="review">
                        <p class="rating"><Stars rating=review.rating /></p>
                        {(!review.comment.is_empty()).then(|| view! { <p class="review-comment">{review.comment}</p> })}
                        <p class="muted small">{review.author} " · " {format::full_date(review.date)}</p>
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
