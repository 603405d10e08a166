//! Booking one slot: what it costs and what the wallet holds, an optional note, and one button.
//! A slot someone else just took comes back with the nearest free times instead of an error.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::booking::{BookAppointment, get_booking_quote};
use crate::components::feedback::Loading;
use crate::components::forms::{FormAlert, Submit, TextArea, last_error};
use crate::components::guards::SignedIn;
use crate::domain::booking::{Alternative, BookingOutcome, BookingQuote};
use crate::domain::format;
use crate::domain::{AppError, UserRole};

#[component]
pub fn BookPage() -> impl IntoView {
    view! {
        <Title text="Book an appointment" />
        <section class="container section narrow">
            <h1>"Book an appointment"</h1>
            <SignedIn role=UserRole::Patient children=|_| view! { <BookingForm /> } />
        </section>
    }
}

fn slot_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slot").and_then(|id| id.parse().ok()))
}

#[component]
fn BookingForm() -> impl IntoView {
    let slot = slot_id();
    let quote = Resource::new(
        move || slot.get(),
        |slot| async move {
            match slot {
                Some(slot) => get_booking_quote(slot).await,
                None => Err(AppError::NotFound("This time slot".to_owned())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the time…" /> }>
            {move || Suspend::new(async move {
                match quote.await {
                    Ok(quote) => view! { <Confirm quote /> }.into_any(),
                    Err(err) => view! {
                        <div class="alert alert-error" role="alert">
                            <p>{err.to_string()}</p>
                            <a href="/doctors">"Find another time"</a>
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Confirm(quote: BookingQuote) -> impl IntoView {
    let action = ServerAction::<BookAppointment>::new();
    let error = last_error(action.value());
    // A booking made (paid or held) opens its appointment page: the server function
    // redirects there, for a plain form post and for the hydrated page alike.
    let enough = quote.balance >= quote.fee;
    let policy = quote.policy;
    view! {
        <div class="panel form-panel booking-summary">
            <dl class="facts">
                <dt>"Doctor"</dt>
                <dd><a href=format!("/doctors/{}", quote.doctor_id)>{quote.doctor_name.clone()}</a>" · "{quote.specialty.clone()}</dd>
                <dt>"When"</dt>
                <dd>{format!("{} · {}", format::long_day_year(quote.date), format::span(quote.start_time, quote.end_time))}</dd>
                <dt>"Fee"</dt>
                <dd class="money">{quote.fee.to_string()}</dd>
                <dt>"Your wallet"</dt>
                <dd class="money">{quote.balance.to_string()}</dd>
            </dl>
            {if enough {
                view! { <p class="muted">{format!("The fee is paid from your wallet when you confirm. Cancel at least {} hours before for a full refund; later, {}% is refunded.", policy.free_cancellation_hours, policy.late_refund_percent)}</p> }.into_any()
            } else {
                view! {
                    <p class="alert alert-warning" role="status">
                        {format!("Your wallet is short of the fee. Book now and we hold this time for {} minutes while you ", policy.payment_hold_minutes)}
                        <a href="/wallet" target="_blank">"top up your wallet"</a>
                        " and pay."
                    </p>
                }.into_any()
            }}
            <Show when=move || matches!(action.value().get(), Some(Ok(BookingOutcome::SlotTaken { .. })))>
                <Taken alternatives=match action.value().get() {
                    Some(Ok(BookingOutcome::SlotTaken { alternatives })) => alternatives,
                    _ => Vec::new(),
                } />
            </Show>
            <ActionForm action attr:class="form">
                <FormAlert error />
                <input type="hidden" name="slot_id" value=quote.slot_id />
                <input type="hidden" name="request_key" value=quote.request_key.clone() />
                <TextArea label="Note for the doctor (optional)" name="notes" error rows=3 maxlength=1000
                    hint="What the visit is about, anything the doctor should know." />
                <Submit label=if enough { format!("Confirm and pay {}", quote.fee) } else { "Book and hold this time".to_owned() }
                    busy_label="Booking…" pending=action.pending().into() />
            </ActionForm>
        </div>
    }
}

/// "This slot was just taken", with the nearest free times of the same doctor.
#[component]
fn Taken(alternatives: Vec<Alternative>) -> impl IntoView {
    view! {
        <div class="alert alert-warning" role="alert">
            <p><strong>"This slot was just taken by another patient."</strong></p>
            {if alternatives.is_empty() {
                view! { <p>"The doctor has no other free times soon. " <a href="/doctors">"Find another doctor"</a></p> }.into_any()
            } else {
                view! {
                    <p>"The nearest free times:"</p>
                    <ul class="alternatives">
                        {alternatives.into_iter().map(|slot| view! {
                            <li><a rel="external" href=format!("/book/{}", slot.slot_id)>
                                {format!("{} {}", format::short_day(slot.date), format::span(slot.start_time, slot.end_time))}
                            </a></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}
