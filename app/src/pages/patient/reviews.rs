//! "Your reviews": the patient's completed visits waiting for a review, each with the review
//! form, and the reviews they have written, editable for the first days after posting.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::reviews::{CreateReview, EditReview, my_reviews};
use crate::components::feedback::Loading;
use crate::components::forms::{FormAlert, Submit, TextArea, last_error};
use crate::components::guards::SignedIn;
use crate::components::ratings::{StarPicker, Stars};
use crate::domain::format;
use crate::domain::reviews::{EDIT_WINDOW_DAYS, MAX_COMMENT_CHARS, OwnReview, PendingReview};
use crate::domain::{AppError, UserRole};

#[component]
pub fn PatientReviewsPage() -> impl IntoView {
    view! {
        <Title text="Your reviews" />
        <section class="container section narrow">
            <h1>"Your reviews"</h1>
            <SignedIn role=UserRole::Patient children=|_| view! { <PatientReviews /> } />
        </section>
    }
}

#[component]
fn PatientReviews() -> impl IntoView {
    // Bumped by a form after a successful post or edit, so both lists are read again.
    let changed = RwSignal::new(0u32);
    let reviews = Resource::new(move || changed.get(), |_| my_reviews());
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your reviews…" /> }>
            {move || Suspend::new(async move {
                let lists = reviews.await?;
                Ok::<_, AppError>(view! {
                    <h2>"Visits waiting for your review"</h2>
                    {if lists.pending.is_empty() {
                        view! { <p class="muted">"No visits are waiting for a review. After a visit, you can rate it here."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="review-forms">
                                {lists.pending.into_iter().map(|visit| view! { <ReviewForm visit changed /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                    <h2>"Reviews you have written"</h2>
                    {if lists.reviews.is_empty() {
                        view! { <p class="muted">"You have not written a review yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="reviews own-reviews">
                                {lists.reviews.into_iter().map(|review| view! { <OwnReviewItem review changed /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                })
            })}
        </Suspense>
    }
}

#[component]
fn ReviewForm(visit: PendingReview, changed: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<CreateReview>::new();
    let error = last_error(create.value());
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            changed.update(|n| *n += 1);
        }
    });
    let heading_id = format!("visit-{}", visit.appointment_id);
    let when = format!(
        "{} at {}",
        format::long_day_year(visit.date),
        format::clock(visit.start_time)
    );
    view! {
        <li class="panel review-form-panel">
            <h3 id=heading_id.clone()>{visit.doctor_name()}</h3>
            <p class="muted">{visit.specialty.clone()} " · " {when}</p>
            <ActionForm action=create attr:class="form" attr:aria-labelledby=heading_id>
                <FormAlert error />
                <input type="hidden" name="appointment_id" value=visit.appointment_id />
                <StarPicker id=format!("new-{}", visit.appointment_id) error />
                <TextArea label="Comment (optional)" name="comment" error rows=4 maxlength=MAX_COMMENT_CHARS as u32
                    hint=format!("What went well, what could be better. At most {MAX_COMMENT_CHARS} characters.") />
                <AnonymousBox checked=false />
                <Submit label="Post review" busy_label="Posting…" pending=create.pending().into() />
            </ActionForm>
        </li>
    }
}

/// "Post anonymously": the public then sees "Anonymous patient" instead of the name.
#[component]
fn AnonymousBox(checked: bool) -> impl IntoView {
    view! {
        <div class="field checkbox-field">
            <label>
                <input type="checkbox" name="anonymous" value="on" checked=checked />
                " Post anonymously"
            </label>
            <p class="hint">"Your name is never shown with an anonymous review, not even to the doctor."</p>
        </div>
    }
}

#[component]
fn OwnReviewItem(review: OwnReview, changed: RwSignal<u32>) -> impl IntoView {
    let edit = ServerAction::<EditReview>::new();
    let error = last_error(edit.value());
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(edit.value().get(), Some(Ok(()))) {
            editing.set(false);
            changed.update(|n| *n += 1);
        }
    });
    let status = match (&review.hidden_reason, review.editable) {
        (Some(reason), _) => view! {
            <p class="alert alert-warning">
                <strong>"Hidden by the clinic: "</strong>{reason.clone()}
            </p>
        }
        .into_any(),
        (None, true) => view! {
            <p class="muted small">
                {format!("You can change it until {}.", format::full_date_clock(review.editable_until_local))}
            </p>
        }
        .into_any(),
        (None, false) => view! {
            <p class="muted small">{format!("Reviews can be changed for {EDIT_WINDOW_DAYS} days after posting.")}</p>
        }
        .into_any(),
    };
    let (id, rating, comment, anonymous) = (
        review.id,
        review.rating,
        review.comment.clone(),
        review.is_anonymous,
    );
    let editable = review.editable;
    view! {
        <li class="review own-review">
            <div class="own-review-head">
                <h3><a href=format!("/doctors/{}#reviews", review.doctor_id)>{review.doctor_name()}</a></h3>
                {editable.then(|| view! {
                    <button type="button" class="btn btn-secondary btn-small"
                        aria-expanded=move || editing.get().to_string()
                        on:click=move |_| editing.update(|open| *open = !*open)>
                        "Edit"
                    </button>
                })}
            </div>
            <p class="rating"><Stars rating=review.rating /></p>
            {(!review.comment.is_empty()).then(|| view! { <p class="review-comment">{review.comment.clone()}</p> })}
            <p class="muted small">
                {format!("Posted {}", format::full_date(review.created_at.date_naive()))}
                {review.is_anonymous.then_some(" · anonymously")}
            </p>
            {status}
            <Show when=move || editing.get()>
                {
                    let comment = comment.clone();
                    view! {
                <ActionForm action=edit attr:class="form own-review-edit">
                    <FormAlert error />
                    <input type="hidden" name="review_id" value=id />
                    <StarPicker id=format!("edit-{id}") value=rating error />
                    <TextArea label="Comment (optional)" name="comment" error rows=4
                        maxlength=MAX_COMMENT_CHARS as u32 value=comment />
                    <AnonymousBox checked=anonymous />
                    <Submit label="Save changes" busy_label="Saving…" pending=edit.pending().into() />
                </ActionForm>
                    }
                }
            </Show>
        </li>
    }
}
