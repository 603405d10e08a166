//! A patient's home: the next appointment, the wallet balance, what is coming up, and the visits
//! waiting for a review.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dashboards::get_patient_dashboard;
use crate::components::agenda::{AgendaList, status_label};
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::domain::dashboard::PatientDashboard;
use crate::domain::format;
use crate::domain::{AppError, Money, UserRole};

#[component]
pub fn PatientHomePage() -> impl IntoView {
    view! {
        <Title text="Your visits" />
        <section class="container section">
            <SignedIn role=UserRole::Patient children=|me| view! {
                <div class="page-heading">
                    <h1>{format!("Hello, {}", me.first_name)}</h1>
                    <a class="btn btn-primary" href="/doctors">"Book a visit"</a>
                </div>
                <PatientHome />
            } />
        </section>
    }
}

#[component]
fn PatientHome() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| get_patient_dashboard());
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your visits…" /> }>
            {move || Suspend::new(async move {
                let board = dashboard.await?;
                Ok::<_, AppError>(view! { <PatientBoard board /> })
            })}
        </Suspense>
    }
}

#[component]
fn PatientBoard(board: PatientDashboard) -> impl IntoView {
    let next = board.upcoming.first().cloned();
    let later: Vec<_> = board.upcoming.iter().skip(1).cloned().collect();
    view! {
        <div class="dashboard-grid">
            <section class="panel next-appointment" aria-labelledby="next-visit">
                <h2 id="next-visit">"Next appointment"</h2>
                {match next {
                    Some(item) => view! {
                        <p class="next-when" data-figure="next-appointment">
                            {format!("{}, {}", format::long_day(item.date), format::span(item.start_time, item.end_time))}
                        </p>
                        <p><strong>{item.with_name.clone()}</strong> " · " {item.specialty.clone()}</p>
                        <p class="muted">{format!("{} · {}", status_label(&item.status), Money::from_decimal(item.fee))}</p>
                        <a class="btn btn-secondary btn-small" href=format!("/appointments/{}", item.appointment_id)>"View, reschedule or cancel"</a>
                    }
                    .into_any(),
                    None => view! {
                        <p class="muted">"No appointment booked."</p>
                        <a href="/doctors">"Find a doctor"</a>
                    }
                    .into_any(),
                }}
            </section>
            <section class="panel" aria-labelledby="wallet">
                <h2 id="wallet">"Wallet"</h2>
                <p class="stat-value" data-figure="wallet-balance">{Money::from_decimal(board.wallet_balance).to_string()}</p>
                <a class="btn btn-secondary btn-small" href="/wallet">"Top up or see history"</a>
            </section>
            <section class="panel" aria-labelledby="upcoming">
                <h2 id="upcoming">"Also coming up"</h2>
                <AgendaList items=later label="Upcoming appointments" empty="Nothing else booked." />
            </section>
            <section class="panel" aria-labelledby="to-review">
                <h2 id="to-review">"Waiting for your review"</h2>
                <AgendaList items=board.to_review.clone() label="Visits to review" empty="No visits wait for a review." />
                {(!board.to_review.is_empty()).then(|| view! { <a href="/reviews">"Write a review"</a> })}
            </section>
        </div>
    }
}
