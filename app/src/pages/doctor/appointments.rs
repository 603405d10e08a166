//! A doctor's appointments: what is coming, what waits to be marked completed, and the last
//! month's. Each opens the appointment's page, where it is completed or cancelled.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::booking::get_schedule;
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::domain::booking::AppointmentItem;
use crate::domain::format;
use crate::domain::{AppError, UserRole};
use crate::pages::patient::StatusBadge;

#[component]
pub fn DoctorAppointmentsPage() -> impl IntoView {
    view! {
        <Title text="Your appointments" />
        <section class="container section">
            <h1>"Your appointments"</h1>
            <SignedIn role=UserRole::Doctor children=|_| view! { <ScheduleView /> } />
        </section>
    }
}

#[component]
fn ScheduleView() -> impl IntoView {
    let schedule = Resource::new(|| (), |_| get_schedule(None));
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your schedule…" /> }>
            {move || Suspend::new(async move {
                let schedule = schedule.await?;
                Ok::<_, AppError>(view! {
                    <h2>"To complete"</h2>
                    <Rows items=schedule.to_complete empty="Nothing waits to be completed." />
                    <h2>"Upcoming"</h2>
                    <Rows items=schedule.upcoming empty="No upcoming appointments." />
                    <h2>"Last 30 days"</h2>
                    <Rows items=schedule.recent empty="Nothing in the last 30 days." />
                })
            })}
        </Suspense>
    }
}

#[component]
fn Rows(items: Vec<AppointmentItem>, empty: &'static str) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th>"When"</th><th>"Patient"</th><th>"Status"</th><th class="num">"Fee"</th><th></th></tr></thead>
            <tbody>
                {items.into_iter().map(|item| {
                    let a = item.appointment;
                    view! {
                        <tr>
                            <td>{format!("{} {}", format::short_day(a.date), format::span(a.start_time, a.end_time))}</td>
                            <td>{a.patient_name.clone()}</td>
                            <td><StatusBadge status=a.status /></td>
                            <td class="num money">{a.consultation_fee.to_string()}</td>
                            <td><a href=format!("/appointments/{}", a.id)>
                                {if item.actions.complete { "Complete" } else { "Open" }}
                            </a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
