//! A doctor's page: who they are, what patients say, and when they are free. The reviews' star
//! filter and page live in the URL (`?stars=5&page=2`), so they work as plain links.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::directory::get_doctor;
use crate::api::reviews::doctor_reviews;
use crate::components::feedback::Loading;
use crate::components::lists::Pager;
use crate::components::ratings::{RatingSummaryPanel, Stars};
use crate::domain::format;
use crate::domain::reviews::{DoctorReviewsPage, stars_in_words};
use crate::domain::{AppError, DoctorProfile, FreeSlot, PublicReview};

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

    view! {
        <section class="container section">
            <Suspense fallback=|| view! { <Loading label="Loading the doctor…" /> }>
                {move || Suspend::new(async move {
                    match doctor.await {
                        Ok(profile) => view! { <Profile profile reviews /> }.into_any(),
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
            <div class="panel slots-panel">
                <h2>"Free times in the next 14 days"</h2>
                <SlotDays slots=profile.free_slots />
            </div>
            <ReviewsSection doctor_id=card.id reviews />
        </div>
    }
}

#[component]
fn SlotDays(slots: Vec<FreeSlot>) -> impl IntoView {
    if slots.is_empty() {
        return view! { <p class="muted">"No free times in the next two weeks."</p> }.into_any();
    }
    let mut days: Vec<(NaiveDate, Vec<FreeSlot>)> = Vec::new();
    for slot in slots {
        match days.last_mut() {
            Some((date, list)) if *date == slot.date => list.push(slot),
            _ => days.push((slot.date, vec![slot])),
        }
    }
    view! {
        <ul class="slot-days">
            {days
                .into_iter()
                .map(|(date, list)| {
                    view! {
                        <li>
                            <h3>{format::long_day(date)}</h3>
                            <ul class="slot-times" aria-label=format!("Free times on {}", format::long_day(date))>
                                {list
                                    .into_iter()
                                    .map(|slot| {
                                        let time = format::clock(slot.start_time);
                                        let until = format!(" to {}", format::clock(slot.end_time));
                                        if slot.bookable {
                                            view! {
                                                <li class="slot slot-bookable">
                                                    <a class="slot-book" href=format!("/book/{}", slot.id)
                                                        aria-label=format!("Book {time}{until} on {}", format::long_day(slot.date))>
                                                        {time.clone()}<span class="slot-book-label">" Book"</span>
                                                    </a>
                                                </li>
                                            }.into_any()
                                        } else {
                                            view! {
                                                <li class="slot slot-too-soon" title="Too soon to book online">
                                                    {time}
                                                    <span class="visually-hidden">{until}", too soon to book online"</span>
                                                </li>
                                            }.into_any()
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The rating summary and one page of reviews, read again when the filter or page changes.
#[component]
fn ReviewsSection(
    doctor_id: i64,
    reviews: Resource<Result<DoctorReviewsPage, AppError>>,
) -> impl IntoView {
    view! {
        <div class="panel reviews-panel" id="reviews">
            <h2>"What patients say"</h2>
            <Suspense fallback=|| view! { <Loading label="Loading reviews…" /> }>
                {move || Suspend::new(async move {
                    match reviews.await {
                        Ok(page) => view! { <ReviewsPage doctor_id page /> }.into_any(),
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

/// The address of this doctor's reviews with `stars` (or all) on `page`.
fn reviews_href(doctor_id: i64, stars: Option<i16>, page: i64) -> String {
    let mut pairs = Vec::new();
    if let Some(stars) = stars {
        pairs.push(format!("stars={stars}"));
    }
    if page > 1 {
        pairs.push(format!("page={page}"));
    }
    if pairs.is_empty() {
        format!("/doctors/{doctor_id}#reviews")
    } else {
        format!("/doctors/{doctor_id}?{}#reviews", pairs.join("&"))
    }
}

#[component]
fn ReviewsPage(doctor_id: i64, page: DoctorReviewsPage) -> impl IntoView {
    let stars = page.stars;
    let filter_href = Callback::new(move |stars: i16| reviews_href(doctor_id, Some(stars), 1));
    let pager_href = Callback::new(move |n: i64| reviews_href(doctor_id, stars, n));
    let has_reviews = page.summary.counts.iter().sum::<i64>() > 0;
    let chips = (1..=5)
        .rev()
        .map(|n: i16| {
            let current = stars == Some(n);
            view! {
                <a class="chip" class:chip-current=current
                    aria-current=current.then_some("true")
                    href=reviews_href(doctor_id, Some(n), 1)>
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
                    href=reviews_href(doctor_id, None, 1)>"All"</a>
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
