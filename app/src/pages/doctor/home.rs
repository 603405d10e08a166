//! A doctor's home: today's agenda and the coming week, confirmed appointments that have started
//! and wait to be completed, earnings per month, the rating, and a shortcut to add slots.

use leptos::prelude::*;
use leptos_meta::Title;
use rust_decimal::prelude::ToPrimitive;

use crate::api::dashboards::get_doctor_dashboard;
use crate::components::agenda::AgendaList;
use crate::components::charts::{BarChart, ChartBar};
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::components::ratings::RatingSummaryPanel;
use crate::domain::dashboard::{DoctorDashboard, EARNING_MONTHS};
use crate::domain::format;
use crate::domain::{AppError, Money, UserRole};

#[component]
pub fn DoctorHomePage() -> impl IntoView {
    view! {
        <Title text="Your day" />
        <section class="container section">
            <SignedIn role=UserRole::Doctor children=|me| view! {
                <div class="page-heading">
                    <h1>{format!("Good to see you, Dr. {}", me.last_name)}</h1>
                    <a class="btn btn-primary" href="/doctor/slots">"Add time slots"</a>
                </div>
                <DoctorHome />
            } />
        </section>
    }
}

#[component]
fn DoctorHome() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| get_doctor_dashboard());
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your day…" /> }>
            {move || Suspend::new(async move {
                let board = dashboard.await?;
                Ok::<_, AppError>(view! { <DoctorBoard board /> })
            })}
        </Suspense>
    }
}

#[component]
fn DoctorBoard(board: DoctorDashboard) -> impl IntoView {
    let earnings: Vec<ChartBar> = board
        .earnings
        .iter()
        .map(|month| ChartBar {
            label: format::month_year(month.month),
            value: month.fees.to_f64().unwrap_or_default(),
            shown: format!(
                "{} ({} {})",
                Money::from_decimal(month.fees),
                month.appointments,
                if month.appointments == 1 {
                    "visit"
                } else {
                    "visits"
                }
            ),
        })
        .collect();
    let total: rust_decimal::Decimal = board.earnings.iter().map(|m| m.fees).sum();
    let visits: i64 = board.earnings.iter().map(|m| m.appointments).sum();
    let words = format!(
        "{} from {visits} completed {} over the last {EARNING_MONTHS} months.",
        Money::from_decimal(total),
        if visits == 1 { "visit" } else { "visits" }
    );
    view! {
        <div class="dashboard-grid">
            <section class="panel" aria-labelledby="agenda-today">
                <h2 id="agenda-today">{format!("Today, {}", format::long_day(board.today))}</h2>
                <AgendaList items=board.today_agenda label="Today's appointments" empty="No appointments today." with_date=false />
            </section>
            <section class="panel" aria-labelledby="to-complete">
                <h2 id="to-complete">"To complete"</h2>
                <p class="muted small">"Confirmed appointments that have started: mark each completed once the visit is over."</p>
                <AgendaList items=board.to_complete label="Appointments to complete" empty="Nothing waits to be completed." />
            </section>
            <section class="panel" aria-labelledby="agenda-week">
                <h2 id="agenda-week">"The coming week"</h2>
                <AgendaList items=board.week_agenda label="Appointments in the coming week" empty="No appointments in the next seven days." />
                <p class="muted small" data-figure="free-slots">
                    {format!("{} free slots until {}. ", board.free_slots_ahead, format::day_month(board.today + chrono::Days::new(7)))}
                    <a href="/doctor/slots">"Add time slots"</a>
                </p>
            </section>
            <section class="panel" aria-labelledby="rating">
                <h2 id="rating">"Your rating"</h2>
                <RatingSummaryPanel summary=board.rating />
                <a href="/doctor/reviews">"Read your reviews"</a>
            </section>
        </div>
        <section>
            <BarChart id="chart-earnings" title="Earnings per month" description=words bars=earnings
                label_header="Month" value_header="Fees of completed visits" />
        </section>
    }
}
