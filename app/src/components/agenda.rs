//! A list of appointments as the role homes show them: when, with whom, the state, the fee, and
//! a link to the appointment's page.

use leptos::prelude::*;

use crate::domain::Money;
use crate::domain::dashboard::AgendaItem;
use crate::domain::format;

/// A status as people say it.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "Awaiting payment",
        "confirmed" => "Confirmed",
        "completed" => "Completed",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

#[component]
pub fn AgendaList(
    items: Vec<AgendaItem>,
    #[prop(into)] label: String,
    #[prop(into)] empty: String,
    /// Show the date on each line (off for a single day's agenda).
    #[prop(default = true)]
    with_date: bool,
) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted agenda-empty">{empty}</p> }.into_any();
    }
    view! {
        <ul class="agenda" aria-label=label>
            {items.into_iter().map(|item| {
                let when = if with_date {
                    format!("{} · {}", format::short_day(item.date), format::span(item.start_time, item.end_time))
                } else {
                    format::span(item.start_time, item.end_time)
                };
                let badge = match item.status.as_str() {
                    "confirmed" | "completed" => "badge badge-success",
                    "pending" => "badge badge-warning",
                    _ => "badge badge-muted",
                };
                view! {
                    <li class="agenda-item" data-appointment=item.appointment_id>
                        <span class="agenda-when">{when}</span>
                        <a class="agenda-who" href=format!("/appointments/{}", item.appointment_id)>{item.with_name.clone()}</a>
                        {(!item.specialty.is_empty()).then(|| view! { <span class="muted small">{item.specialty.clone()}</span> })}
                        <span class=badge>{status_label(&item.status)}</span>
                        <span class="agenda-fee">{Money::from_decimal(item.fee).to_string()}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
