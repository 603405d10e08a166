//! The admin's appointments: every visit, filtered by patient, doctor, status and date, a page at
//! a time, with the CSV download; a live one can be cancelled here, refunding what was paid in
//! full (the patient is emailed).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::AdminNav;
use crate::api::booking::CancelAppointment;
use crate::api::oversight::list_all_appointments;
use crate::components::feedback::Loading;
use crate::components::forms::{FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;
use crate::components::lists::{DateRangeFields, ListTable, use_list_params};
use crate::domain::booking::AppointmentStatus;
use crate::domain::format;
use crate::domain::listing::ListParams;
use crate::domain::oversight::{AppointmentParams, AppointmentRow};
use crate::domain::{Money, UserRole};
use crate::pages::patient::StatusBadge;

#[component]
pub fn AdminAppointmentsPage() -> impl IntoView {
    view! {
        <Title text="Appointments" />
        <section class="container section">
            <AdminNav />
            <h1>"Appointments"</h1>
            <SignedIn role=UserRole::Admin children=|_| view! { <AppointmentList /> } />
        </section>
    }
}

#[component]
fn AppointmentList() -> impl IntoView {
    let params = use_list_params::<AppointmentParams>();
    let value = move |pick: fn(&AppointmentParams) -> &String| {
        Signal::derive(move || pick(&params.read()).clone())
    };
    let changed = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let appointments = Resource::new(
        move || (params.get(), changed.get()),
        |(params, _)| list_all_appointments(params),
    );
    view! {
        <Form method="GET" action="/admin/appointments" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="appointments-patient">"Patient"</label>
                <input id="appointments-patient" type="search" name="patient" maxlength="100"
                    placeholder="Name or email" value=value(|p| &p.patient) prop:value=value(|p| &p.patient) />
            </div>
            <div class="field">
                <label for="appointments-doctor">"Doctor"</label>
                <input id="appointments-doctor" type="search" name="doctor" maxlength="100"
                    placeholder="Name or license" value=value(|p| &p.doctor) prop:value=value(|p| &p.doctor) />
            </div>
            <div class="field">
                <label for="appointments-status">"Status"</label>
                <select id="appointments-status" name="status">
                    <option value="" selected=move || value(|p| &p.status).get().is_empty()>"Any status"</option>
                    {AppointmentStatus::ALL.into_iter().map(|status| {
                        let name = status.as_str();
                        view! { <option value=name selected=move || value(|p| &p.status).get() == name>{status.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <DateRangeFields id_prefix="appointments" from=value(|p| &p.from) to=value(|p| &p.to) />
            <div class="filters-actions">
                <button type="submit" class="btn btn-secondary">"Filter"</button>
            </div>
        </Form>
        {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status">{text}</p> })}
        <Suspense fallback=|| view! { <Loading label="Loading appointments…" /> }>
            {move || Suspend::new(async move {
                let page = match appointments.await {
                    Ok(page) => page,
                    Err(err) => return view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }.into_any(),
                };
                let filters = params.read_untracked().filter_query();
                let key = page.request_key.clone();
                view! {
                    <ListTable page noun=("appointment", "appointments") path="/admin/appointments" filters
                        columns=&[("When", false), ("Doctor", false), ("Patient", false), ("Status", false), ("Fee", true), ("", false)]
                        pager_label="Appointment pages"
                        row=move |row: AppointmentRow| {
                            let key = format!("{key}-a{}", row.id);
                            view! { <AppointmentLine row key changed notice /> }
                        } />
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn AppointmentLine(
    row: AppointmentRow,
    key: String,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let cancel = ServerAction::<CancelAppointment>::new();
    let error = last_error(cancel.value());
    let who = row.patient_name.clone();
    Effect::new(move |_| {
        if let Some(Ok(refund)) = cancel.value().get() {
            notice.set(Some(if refund.amount > Money::ZERO {
                format!("Cancelled; {} is back in {who}’s wallet.", refund.amount)
            } else {
                format!("Cancelled; {who} had paid nothing.")
            }));
            changed.update(|n| *n += 1);
        }
    });
    let refund = row.refund_on_cancel();
    let confirm = if refund > Money::ZERO {
        format!("Cancel and refund {refund}")
    } else {
        "Cancel the appointment".to_owned()
    };
    let reason_id = format!("cancel-reason-{}", row.id);
    view! {
        <tr data-appointment=row.id>
            <td>
                <a href=format!("/appointments/{}", row.id)>{format::short_day_year(row.date)}</a>
                <div class="muted small">{format::span(row.start_time, row.end_time)}</div>
            </td>
            <td>{row.doctor_name.clone()}<div class="muted small">{row.specialty.clone()}</div></td>
            <td>{row.patient_name.clone()}<div class="muted small">{row.patient_email.clone()}</div></td>
            <td>
                <StatusBadge status=row.status />
                {row.payment_status.map(|status| view! { <div class="muted small">{status.label()}</div> })}
            </td>
            <td class="numeric money">{row.consultation_fee.to_string()}</td>
            <td>
                {row.cancellable().then(|| view! {
                    <details class="row-action">
                        <summary class="btn btn-secondary btn-small">"Cancel…"</summary>
                        <ActionForm action=cancel attr:class="form">
                            <input type="hidden" name="appointment_id" value=row.id />
                            <input type="hidden" name="request_key" value=key />
                            <div class="field">
                                <label for=reason_id.clone()>"Reason (the patient reads it)"</label>
                                <input id=reason_id name="reason" maxlength="200" />
                            </div>
                            <Submit label=confirm busy_label="Cancelling…" pending=cancel.pending().into()
                                class="btn btn-danger btn-small" />
                        </ActionForm>
                        <FormAlert error />
                    </details>
                })}
            </td>
        </tr>
    }
}
