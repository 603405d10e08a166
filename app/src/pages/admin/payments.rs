//! The admin's payments: every payment, filtered by reference or patient, status and date, a page
//! at a time, with the CSV download; a paid visit that has not taken place can be refunded in
//! full here, which cancels it (the patient is emailed).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::AdminNav;
use crate::api::oversight::{RefundPayment, list_payments};
use crate::components::feedback::Loading;
use crate::components::forms::{FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;
use crate::components::lists::{DateRangeFields, ListTable, use_list_params};
use crate::domain::UserRole;
use crate::domain::booking::PaymentStatus;
use crate::domain::format;
use crate::domain::listing::ListParams;
use crate::domain::oversight::{PaymentParams, PaymentRow};

#[component]
pub fn AdminPaymentsPage() -> impl IntoView {
    view! {
        <Title text="Payments" />
        <section class="container section">
            <AdminNav />
            <h1>"Payments"</h1>
            <SignedIn role=UserRole::Admin children=|_| view! { <PaymentList /> } />
        </section>
    }
}

/// The badge of a payment's status.
fn badge(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Completed => "badge badge-success",
        PaymentStatus::Pending => "badge badge-warning",
        PaymentStatus::Refunded => "badge badge-info",
        PaymentStatus::Failed => "badge badge-muted",
    }
}

#[component]
fn PaymentList() -> impl IntoView {
    let params = use_list_params::<PaymentParams>();
    let value = move |pick: fn(&PaymentParams) -> &String| {
        Signal::derive(move || pick(&params.read()).clone())
    };
    let changed = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let payments = Resource::new(
        move || (params.get(), changed.get()),
        |(params, _)| list_payments(params),
    );
    view! {
        <Form method="GET" action="/admin/payments" attr:class="filters" attr:role="search">
            <div class="field field-wide">
                <label for="payments-search">"Reference or patient"</label>
                <input id="payments-search" type="search" name="q" maxlength="100" value=value(|p| &p.q) prop:value=value(|p| &p.q) />
            </div>
            <div class="field">
                <label for="payments-status">"Status"</label>
                <select id="payments-status" name="status">
                    <option value="" selected=move || value(|p| &p.status).get().is_empty()>"Any status"</option>
                    {PaymentStatus::ALL.into_iter().map(|status| {
                        let name = status.as_str();
                        view! { <option value=name selected=move || value(|p| &p.status).get() == name>{status.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <DateRangeFields id_prefix="payments" from=value(|p| &p.from) to=value(|p| &p.to) />
            <div class="filters-actions">
                <button type="submit" class="btn btn-secondary">"Filter"</button>
            </div>
        </Form>
        {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status">{text}</p> })}
        <Suspense fallback=|| view! { <Loading label="Loading payments…" /> }>
            {move || Suspend::new(async move {
                let page = match payments.await {
                    Ok(page) => page,
                    Err(err) => return view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }.into_any(),
                };
                let filters = params.read_untracked().filter_query();
                let key = page.request_key.clone();
                view! {
                    <ListTable page noun=("payment", "payments") path="/admin/payments" filters
                        columns=&[("Reference", false), ("Patient", false), ("Appointment", false), ("Status", false), ("Amount", true), ("", false)]
                        pager_label="Payment pages" newest_first=true
                        row=move |row: PaymentRow| {
                            let key = format!("{key}-p{}", row.id);
                            view! { <PaymentLine row key changed notice /> }
                        } />
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn PaymentLine(
    row: PaymentRow,
    key: String,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let refund = ServerAction::<RefundPayment>::new();
    let error = last_error(refund.value());
    Effect::new(move |_| {
        if let Some(Ok(refunded)) = refund.value().get() {
            notice.set(Some(refunded.refunded_message()));
            changed.update(|n| *n += 1);
        }
    });
    let reason_id = format!("refund-reason-{}", row.id);
    let paid = row
        .paid_local
        .map(|at| format!("Paid {}", format::short_date_clock(at)))
        .unwrap_or_else(|| {
            format!(
                "Created {}",
                format::short_date(row.created_at.date_naive())
            )
        });
    view! {
        <tr data-payment=row.id>
            <td><code>{row.transaction_id.clone()}</code><div class="muted small">{paid}</div></td>
            <td>{row.patient_name.clone()}<div class="muted small">{row.patient_email.clone()}</div></td>
            <td>
                <a href=format!("/appointments/{}", row.appointment_id)>
                    {format!("{} {}", format::short_date(row.date), format::clock(row.start_time))}
                </a>
                <div class="muted small">{format!("{} · {}", row.doctor_name, row.appointment_status.label())}</div>
            </td>
            <td><span class=badge(row.status)>{row.status.label()}</span></td>
            <td class="numeric money">
                {row.amount.to_string()}
                {row.refunded.map(|amount| view! { <div class="muted small">{format!("{amount} refunded")}</div> })}
            </td>
            <td>
                {row.refundable().then(|| view! {
                    <details class="row-action">
                        <summary class="btn btn-secondary btn-small">"Refund…"</summary>
                        <ActionForm action=refund attr:class="form">
                            <input type="hidden" name="payment_id" value=row.id />
                            <input type="hidden" name="request_key" value=key />
                            <p class="small">"The appointment is cancelled and the patient emailed."</p>
                            <div class="field">
                                <label for=reason_id.clone()>"Reason (the patient reads it)"</label>
                                <input id=reason_id name="reason" maxlength="200" />
                            </div>
                            <Submit label=format!("Refund {}", row.amount) busy_label="Refunding…"
                                pending=refund.pending().into() class="btn btn-danger btn-small" />
                        </ActionForm>
                        <FormAlert error />
                    </details>
                })}
            </td>
        </tr>
    }
}
