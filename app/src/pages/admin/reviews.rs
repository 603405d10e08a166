//! Review moderation: every review, searchable by doctor, visible or hidden; an admin hides an
//! abusive one with a reason (it leaves the doctor's average) and can restore it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::AdminNav;
use crate::api::reviews::{HideReview, RestoreReview, admin_reviews};
use crate::components::feedback::Loading;
use crate::components::forms::{Field, FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;
use crate::components::lists::{Pager, use_list_params};
use crate::components::ratings::Stars;
use crate::domain::format;
use crate::domain::listing::ListParams;
use crate::domain::reviews::{AdminReview, AdminReviewParams, MAX_HIDE_REASON_CHARS, Visibility};
use crate::domain::{AppError, UserRole};

#[component]
pub fn AdminReviewsPage() -> impl IntoView {
    view! {
        <Title text="Reviews" />
        <section class="container section">
            <AdminNav />
            <h1>"Reviews"</h1>
            <SignedIn role=UserRole::Admin children=|_| view! { <ReviewModeration /> } />
        </section>
    }
}

#[component]
fn ReviewModeration() -> impl IntoView {
    let params = use_list_params::<AdminReviewParams>();
    // Bumped by a row after hiding or restoring, so the page is read again.
    let changed = RwSignal::new(0u32);
    let reviews = Resource::new(
        move || (params.get(), changed.get()),
        |(params, _)| admin_reviews(params),
    );
    let search = move || params.read().q.clone();
    let show = move || params.read().show.clone();
    view! {
        <Form method="GET" action="/admin/reviews" attr:class="filters" attr:role="search">
            <div class="field field-wide">
                <label for="admin-review-doctor">"Doctor's name"</label>
                <input id="admin-review-doctor" type="search" name="q" maxlength="100" value=search prop:value=search />
            </div>
            <div class="field">
                <label for="admin-review-show">"Show"</label>
                <select id="admin-review-show" name="show">
                    {Visibility::ALL
                        .iter()
                        .map(|choice| {
                            let value = choice.as_str();
                            let selected = move || {
                                Visibility::parse(&show()).unwrap_or_default().as_str() == value
                            };
                            view! { <option value=value selected=selected>{choice.label()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="filters-actions">
                <button type="submit" class="btn btn-secondary">"Search"</button>
            </div>
        </Form>
        <Suspense fallback=|| view! { <Loading label="Loading reviews…" /> }>
            {move || Suspend::new(async move {
                let page = reviews.await?;
                let filters = params.get_untracked().filter_query();
                let href = Callback::new(move |n: i64| format!("/admin/reviews?{filters}&page={n}"));
                Ok::<_, AppError>(view! {
                    <p class="results-count" role="status">
                        {if page.matching == 1 { "1 review".to_owned() } else { format!("{} reviews", page.matching) }}
                    </p>
                    {if page.reviews.is_empty() {
                        view! { <div class="panel empty"><p>"No reviews match."</p></div> }.into_any()
                    } else {
                        view! {
                            <ul class="admin-list" aria-label="Reviews">
                                {page.reviews.into_iter().map(|review| view! { <ReviewRow review changed /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                    <Pager page=page.page pages=page.pages href label="Review pages" newest_first=true />
                })
            })}
        </Suspense>
    }
}

#[component]
fn ReviewRow(review: AdminReview, changed: RwSignal<u32>) -> impl IntoView {
    let hide = ServerAction::<HideReview>::new();
    let restore = ServerAction::<RestoreReview>::new();
    let hide_error = last_error(hide.value());
    let restore_error = last_error(restore.value());
    Effect::new(move |_| {
        if matches!(hide.value().get(), Some(Ok(())))
            || matches!(restore.value().get(), Some(Ok(())))
        {
            changed.update(|n| *n += 1);
        }
    });
    let id = review.id;
    let hidden = review.hidden_at.is_some();
    let doctor = review.doctor_name();
    view! {
        <li class="card admin-row review-row" class:review-hidden=hidden data-review=id>
            <div class="admin-row-main">
                <h2 class="review-row-title">
                    <a href=format!("/doctors/{}#reviews", review.doctor_id)>{doctor.clone()}</a>
                </h2>
                <p class="rating"><Stars rating=review.rating /></p>
                {(!review.comment.is_empty()).then(|| view! { <p class="review-comment">{review.comment.clone()}</p> })}
                <p class="muted small">
                    {review.author.clone()} " · " {format::full_date(review.created_at.date_naive())}
                </p>
                {review.hidden_at.map(|at| view! {
                    <p class="alert alert-warning">
                        <strong>{format!(
                            "Hidden {} by {}: ",
                            format::full_date(at.date_naive()),
                            review.hidden_by.clone().unwrap_or_else(|| "an admin".to_owned())
                        )}</strong>
                        {review.hidden_reason.clone()}
                    </p>
                })}
            </div>
            <div class="admin-row-actions">
                {if hidden {
                    view! {
                        <ActionForm action=restore attr:class="inline-form">
                            <input type="hidden" name="review_id" value=id />
                            <Submit label="Restore" busy_label="Restoring…" pending=restore.pending().into()
                                class="btn btn-secondary btn-small" />
                        </ActionForm>
                        <FormAlert error=restore_error />
                    }
                    .into_any()
                } else {
                    view! {
                        <ActionForm action=hide attr:class="form hide-form"
                            attr:aria-label=format!("Hide the review of {doctor}")>
                            <FormAlert error=hide_error />
                            <input type="hidden" name="review_id" value=id />
                            <Field label="Reason for hiding" name="reason" error=hide_error
                                hint=format!("Shown to the author and the doctor. At most {MAX_HIDE_REASON_CHARS} characters.") />
                            <Submit label="Hide" busy_label="Hiding…" pending=hide.pending().into()
                                class="btn btn-danger btn-small" />
                        </ActionForm>
                    }
                    .into_any()
                }}
            </div>
        </li>
    }
}
