//! A patient's appointments: the list (upcoming and past), one appointment with its payment and
//! ledger rows and the actions its state allows (pay a hold, cancel with the exact refund shown,
//! move it), and the page for choosing a new time.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::booking::{
    CancelAppointment, CompleteAppointment, PayAppointment, RescheduleAppointment, get_appointment,
    get_reschedule_options, list_my_appointments,
};
use crate::components::feedback::Loading;
use crate::components::forms::{FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;
use crate::domain::booking::{
    AppointmentDetail, AppointmentItem, AppointmentStatus, BookingOutcome, PaymentStatus,
    RefundRule,
};
use crate::domain::format;
use crate::domain::{AppError, UserRole};

/// The badge of a status.
#[component]
pub fn StatusBadge(status: AppointmentStatus) -> impl IntoView {
    let class = match status {
        AppointmentStatus::Confirmed => "badge badge-success",
        AppointmentStatus::Pending => "badge badge-warning",
        AppointmentStatus::Completed => "badge badge-info",
        AppointmentStatus::Cancelled => "badge badge-muted",
    };
    view! { <span class=class>{status.label()}</span> }
}

fn when(item: &AppointmentItem) -> String {
    let a = &item.appointment;
    format!(
        "{} · {}–{}",
        format::short_day_year(a.date),
        format::clock(a.start_time),
        format::clock(a.end_time)
    )
}

#[component]
pub fn MyAppointmentsPage() -> impl IntoView {
    view! {
        <Title text="Your appointments" />
        <section class="container section">
            <h1>"Your appointments"</h1>
            <SignedIn role=UserRole::Patient children=|_| view! { <AppointmentLists /> } />
        </section>
    }
}

#[component]
fn AppointmentLists() -> impl IntoView {
    let lists = Resource::new(|| (), |_| list_my_appointments());
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your appointments…" /> }>
            {move || Suspend::new(async move {
                let lists = lists.await?;
                Ok::<_, AppError>(view! {
                    <h2>"Upcoming"</h2>
                    <AppointmentTable items=lists.upcoming empty="No upcoming appointments. Find a doctor and book a time." />
                    <h2>"Past"</h2>
                    <AppointmentTable items=lists.past empty="Nothing here yet." />
                })
            })}
        </Suspense>
    }
}

#[component]
fn AppointmentTable(items: Vec<AppointmentItem>, empty: &'static str) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">{empty}" "<a href="/doctors">"Find a doctor"</a></p> }
            .into_any();
    }
    view! {
        <ul class="appointment-list">
            {items.into_iter().map(|item| {
                let a = item.appointment.clone();
                let next = if item.actions.pay {
                    Some("Pay to confirm")
                } else if item.actions.review {
                    Some("Write a review")
                } else {
                    None
                };
                view! {
                    <li class="panel appointment-row">
                        <div>
                            <a class="appointment-doctor" href=format!("/appointments/{}", a.id)>{a.doctor_name.clone()}</a>
                            <p class="muted">{a.specialty.clone()}" · "{when(&item)}</p>
                        </div>
                        <div class="appointment-side">
                            <StatusBadge status=a.status />
                            <span class="money">{a.consultation_fee.to_string()}</span>
                            {next.map(|label| view! { <a href=format!("/appointments/{}", a.id)>{label}</a> })}
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

fn appointment_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()))
}

/// One appointment, for its patient, its doctor or an admin.
#[component]
pub fn AppointmentPage() -> impl IntoView {
    view! {
        <Title text="Appointment" />
        <section class="container section narrow">
            <SignedIn children=|_| view! { <AppointmentView /> } />
        </section>
    }
}

#[component]
fn AppointmentView() -> impl IntoView {
    let id = appointment_id();
    let pay = ServerAction::<PayAppointment>::new();
    let cancel = ServerAction::<CancelAppointment>::new();
    let complete = ServerAction::<CompleteAppointment>::new();
    let detail = Resource::new(
        move || {
            (
                id.get(),
                pay.version().get(),
                cancel.version().get(),
                complete.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_appointment(id).await,
                None => Err(AppError::NotFound("This appointment".to_owned())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the appointment…" /> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Detail detail pay cancel complete /> }.into_any(),
                    Err(err) => view! {
                        <div class="alert alert-error" role="alert"><p>{err.to_string()}</p></div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(
    detail: AppointmentDetail,
    pay: ServerAction<PayAppointment>,
    cancel: ServerAction<CancelAppointment>,
    complete: ServerAction<CompleteAppointment>,
) -> impl IntoView {
    let a = detail.item.appointment.clone();
    let actions = detail.item.actions;
    let shows_balance = detail
        .ledger
        .iter()
        .any(|entry| entry.balance_after.is_some());
    let pay_error = last_error(pay.value());
    let cancel_error = last_error(cancel.value());
    let complete_error = last_error(complete.value());
    let when = when(&detail.item);
    let pay_key = format!("{}p", detail.request_key);
    let cancel_key = format!("{}c", detail.request_key);
    view! {
        <div class="appointment-detail">
        <Title text=format!("Appointment with {}", a.doctor_name) />
        <h1>"Appointment with "{a.doctor_name.clone()}</h1>
        <p><StatusBadge status=a.status /></p>
        <Show when=move || matches!(cancel.value().get(), Some(Ok(_)))>
            <p class="alert alert-success" role="status">
                {move || cancel.value().get().and_then(Result::ok).map(|refund| refund.cancelled_message())}
            </p>
        </Show>
        <div class="panel">
            <dl class="facts">
                <dt>"When"</dt><dd>{when}</dd>
                <dt>"Doctor"</dt><dd><a href=format!("/doctors/{}", a.doctor_id)>{a.doctor_name.clone()}</a>" · "{a.specialty.clone()}</dd>
                <dt>"Patient"</dt><dd>{a.patient_name.clone()}</dd>
                <dt>"Fee"</dt><dd class="money">{a.consultation_fee.to_string()}</dd>
                {(!detail.notes.is_empty()).then(|| view! { <dt>"Note"</dt><dd>{detail.notes.clone()}</dd> })}
                {detail.cancelled_at.map(|at| view! {
                    <dt>"Cancelled"</dt>
                    <dd>{format::short_date_clock(at)}
                        {(!detail.cancellation_reason.is_empty()).then(|| format!(" · {}", detail.cancellation_reason))}
                    </dd>
                })}
                {detail.rescheduled_to.map(|to| view! {
                    <dt>"Moved to"</dt><dd><a href=format!("/appointments/{to}")>"the new appointment"</a></dd>
                })}
                {detail.rescheduled_from.map(|from| view! {
                    <dt>"Moved from"</dt><dd><a href=format!("/appointments/{from}")>"the earlier booking"</a></dd>
                })}
                {(a.status == AppointmentStatus::Confirmed).then(|| view! {
                    <dt>"Confirmation email"</dt>
                    <dd>{if detail.confirmation_sent { "Sent" } else { "On its way" }}</dd>
                })}
            </dl>
        </div>

        {actions.pay.then(|| {
            let until = detail.hold_ends_at.map(|at| format::clock(at.time())).unwrap_or_default();
            let short = detail.balance < a.consultation_fee;
            view! {
                <div class="panel form-panel">
                    <h2>"Pay to confirm"</h2>
                    <p>{format!("We hold this time for you until {until}. Your wallet holds {}.", detail.balance)}</p>
                    {short.then(|| view! {
                        <p class="alert alert-warning">"Your wallet is short of the fee. "<a href="/wallet">"Top up your wallet"</a>", then come back and pay."</p>
                    })}
                    <ActionForm action=pay attr:class="form">
                        <FormAlert error=pay_error />
                        <input type="hidden" name="appointment_id" value=a.id />
                        <input type="hidden" name="request_key" value=pay_key.clone() />
                        <Submit label=format!("Pay {} from my wallet", a.consultation_fee) busy_label="Paying…" pending=pay.pending().into() />
                    </ActionForm>
                </div>
            }
        })}

        {actions.reschedule.then(|| view! {
            <p><a class="btn btn-secondary" href=format!("/appointments/{}/reschedule", a.id)>"Move to another time"</a></p>
        })}

        {actions.complete.then(|| view! {
            <ActionForm action=complete attr:class="form inline-form">
                <FormAlert error=complete_error />
                <input type="hidden" name="appointment_id" value=a.id />
                <Submit label="Mark as completed" busy_label="Saving…" pending=complete.pending().into() />
            </ActionForm>
        })}

        {detail.cancel_refund.filter(|_| actions.cancel).map(|refund| {
            let patient = detail.viewer == UserRole::Patient;
            let cancel_label = if refund.amount > crate::domain::Money::ZERO {
                format!("Cancel and refund {}", refund.amount)
            } else {
                "Cancel the appointment".to_owned()
            };
            let explain = match refund.rule {
                RefundRule::Full if !patient => format!(
                    "The patient gets the whole fee, {}, back in their wallet and is told by email.",
                    refund.amount
                ),
                RefundRule::Full => format!("You get {} back in your wallet.", refund.amount),
                RefundRule::Late { percent } => format!(
                    "It is less than {} hours before the start, so {percent}% of the fee comes back: {}.",
                    detail.policy.free_cancellation_hours, refund.amount
                ),
                RefundRule::NothingPaid => "Nothing was paid yet, so nothing is charged.".to_owned(),
            };
            view! {
                <div class="panel form-panel">
                    <h2>"Cancel this appointment"</h2>
                    <p class="cancel-refund">{explain}</p>
                    <ActionForm action=cancel attr:class="form">
                        <FormAlert error=cancel_error />
                        <input type="hidden" name="appointment_id" value=a.id />
                        <input type="hidden" name="expected_refund" value=refund.amount.amount().to_string() />
                        <input type="hidden" name="request_key" value=cancel_key.clone() />
                        <div class="field">
                            <label for="field-reason">"Reason (optional)"</label>
                            <input id="field-reason" name="reason" maxlength="200" />
                        </div>
                        <Submit label=cancel_label busy_label="Cancelling…" pending=cancel.pending().into() />
                    </ActionForm>
                </div>
            }
        })}

        {detail.payment.map(|payment| view! {
            <div class="panel">
                <h2>"Payment"</h2>
                <dl class="facts">
                    <dt>"Status"</dt><dd>{payment.status.label()}</dd>
                    <dt>"Amount"</dt><dd class="money">{payment.amount.to_string()}</dd>
                    <dt>"Reference"</dt><dd><code>{payment.transaction_id.clone()}</code></dd>
                    {payment.paid_local.filter(|_| payment.status != PaymentStatus::Failed).map(|at| view! {
                        <dt>"Paid"</dt><dd>{format::short_date_clock(at)}</dd>
                    })}
                </dl>
            </div>
        })}
        {(!detail.ledger.is_empty()).then(|| view! {
            <div class="panel">
                <h2>"Wallet movements"</h2>
                <table class="table">
                    <thead><tr><th>"Date"</th><th>"Type"</th><th>"Description"</th><th class="num">"Amount"</th>
                        // A doctor is not shown the patient's balance: the column is not there.
                        {shows_balance.then(|| view! { <th class="num">"Balance after"</th> })}
                    </tr></thead>
                    <tbody>
                        {detail.ledger.iter().map(|entry| view! {
                            <tr>
                                <td>{format::short_date_clock(entry.local_at)}</td>
                                <td>{entry.transaction_type.label()}</td>
                                <td>{entry.description.clone()}</td>
                                <td class="num money">{entry.amount.to_string()}</td>
                                {entry.balance_after.map(|balance| view! { <td class="num money">{balance.to_string()}</td> })}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {actions.review.then(|| view! { <p><a class="btn btn-primary" href="/reviews">"Review this visit"</a></p> })}
        </div>
    }
}

/// Choosing a new time for a confirmed appointment.
#[component]
pub fn ReschedulePage() -> impl IntoView {
    view! {
        <Title text="Move an appointment" />
        <section class="container section narrow">
            <h1>"Move to another time"</h1>
            <SignedIn role=UserRole::Patient children=|_| view! { <RescheduleView /> } />
        </section>
    }
}

#[component]
fn RescheduleView() -> impl IntoView {
    let id = appointment_id();
    let options = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_reschedule_options(id).await,
                None => Err(AppError::NotFound("This appointment".to_owned())),
            }
        },
    );
    let action = ServerAction::<RescheduleAppointment>::new();
    let error = last_error(action.value());
    // A move made opens the appointment page: the server function redirects there.
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading free times…" /> }>
            {move || Suspend::new(async move {
                let options = match options.await {
                    Ok(options) => options,
                    Err(err) => return view! { <div class="alert alert-error" role="alert"><p>{err.to_string()}</p></div> }.into_any(),
                };
                let a = options.appointment.clone();
                let key = options.request_key.clone();
                let slots: Vec<_> = options
                    .slots
                    .iter()
                    .map(|slot| (slot.clone(), format!("{key}{}", slot.slot_id)))
                    .collect();
                view! {
                    <p>{format!("Now: {} on {} at {}. New times cost the doctor's current fee, {}; the difference is settled in your wallet.",
                        a.doctor_name, format::long_day(a.date), format::clock(a.start_time), options.fee)}</p>
                    <Show when=move || matches!(action.value().get(), Some(Ok(BookingOutcome::SlotTaken { .. })))>
                        <p class="alert alert-warning" role="alert">"That time was just taken. Choose another one."</p>
                    </Show>
                    <FormAlert error />
                    {if slots.is_empty() {
                        view! { <p class="muted">"The doctor has no other free times in the next two weeks."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="slot-times reschedule-times">
                                {slots.into_iter().map(|(slot, slot_key)| view! {
                                    <li>
                                        <ActionForm action attr:class="inline-form">
                                            <input type="hidden" name="appointment_id" value=a.id />
                                            <input type="hidden" name="slot_id" value=slot.slot_id />
                                            <input type="hidden" name="request_key" value=slot_key />
                                            <button type="submit" class="btn btn-secondary btn-small">
                                                {format!("{} {}", format::short_day(slot.date), format::clock(slot.start_time))}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}
