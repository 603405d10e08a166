//! A doctor's page: who they are, what patients say, and when they are free.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::doctors::get_doctor;
use crate::components::feedback::Loading;
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

    view! {
        <section class="container section">
            <Suspense fallback=|| view! { <Loading label="Loading the doctor…" /> }>
                {move || Suspend::new(async move {
                    match doctor.await {
                        Ok(profile) => view! { <Profile profile /> }.into_any(),
                        Err(AppError::NotFound(_)) => view! { <crate::pages::NotFound /> }.into_any(),
                        Err(err) => view! { <div class="panel panel-error" role="alert">{err.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Profile(profile: DoctorProfile) -> impl IntoView {
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
            <div class="panel">
                <h2>"What patients say"</h2>
                <Reviews reviews=profile.reviews />
            </div>
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
                            <h3>{date.format("%A %-d %B").to_string()}</h3>
                            <ul class="slot-times" aria-label=format!("Free times on {}", date.format("%A %-d %B"))>
                                {list
                                    .into_iter()
                                    .map(|slot| view! {
                                        <li class="slot">
                                            {slot.start_time.format("%H:%M").to_string()}
                                            <span class="visually-hidden">
                                                {format!(" to {}", slot.end_time.format("%H:%M"))}
                                            </span>
                                        </li>
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

#[component]
fn Reviews(reviews: Vec<PublicReview>) -> impl IntoView {
    if reviews.is_empty() {
        return view! { <p class="muted">"No reviews yet."</p> }.into_any();
    }
    view! {
        <ul class="reviews">
            {reviews
                .into_iter()
                .map(|review| view! {
                    <li class="review">
                        <p class="rating" aria-label=format!("{} out of 5 stars", review.rating)>
                            {"★".repeat(review.rating.clamp(0, 5) as usize)}
                            {"☆".repeat(5 - review.rating.clamp(0, 5) as usize)}
                        </p>
                        <p>{review.comment}</p>
                        <p class="muted">{review.author} " · " {review.date.format("%-d %B %Y").to_string()}</p>
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
