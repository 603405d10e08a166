//! The signed-in doctor's reviews: the rating summary patients see, and every review, newest
//! first, with those an admin hid marked (they do not count towards the average).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::reviews::received_reviews;
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::components::lists::Pager;
use crate::components::ratings::{RatingSummaryPanel, Stars};
use crate::domain::format;
use crate::domain::reviews::ReceivedReviewsPage;
use crate::domain::{AppError, UserRole};

#[component]
pub fn DoctorReviewsPage() -> impl IntoView {
    view! {
        <Title text="Your reviews" />
        <section class="container section narrow">
            <h1>"Your reviews"</h1>
            <SignedIn role=UserRole::Doctor children=|_| view! { <Received /> } />
        </section>
    }
}

#[component]
fn Received() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.read().get("page").unwrap_or_default();
    let reviews = Resource::new(page, received_reviews);
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your reviews…" /> }>
            {move || Suspend::new(async move {
                let page = reviews.await?;
                Ok::<_, AppError>(view! { <ReceivedList page /> })
            })}
        </Suspense>
    }
}

#[component]
fn ReceivedList(page: ReceivedReviewsPage) -> impl IntoView {
    let href = Callback::new(|n: i64| {
        if n > 1 {
            format!("/doctor/reviews?page={n}")
        } else {
            "/doctor/reviews".to_owned()
        }
    });
    view! {
        <div class="panel">
            <p class="muted">"Patients see this summary on your public page. Hidden reviews are not counted."</p>
            <RatingSummaryPanel summary=page.summary />
        </div>
        {if page.reviews.is_empty() {
            view! { <p class="muted">"No reviews yet. Patients can review a visit once it is completed."</p> }.into_any()
        } else {
            view! {
                <ul class="reviews">
                    {page.reviews.into_iter().map(|review| {
                        let hidden = review.hidden_reason.is_some();
                        view! {
                        <li class="review" class:review-hidden=hidden>
                            <p class="rating"><Stars rating=review.rating /></p>
                            {(!review.comment.is_empty()).then(|| view! { <p class="review-comment">{review.comment}</p> })}
                            <p class="muted small">{review.author} " · " {format::full_date(review.date)}</p>
                            {review.hidden_reason.map(|reason| view! {
                                <p class="alert alert-warning"><strong>"Hidden by the clinic: "</strong>{reason}</p>
                            })}
                        </li>
                    }}).collect_view()}
                </ul>
            }
            .into_any()
        }}
        <Pager page=page.page pages=page.pages href label="Review pages" newest_first=true />
    }
}
