//! The admin's home: the clinic's key figures, and charts of bookings, revenue and cancellations,
//! each with its numbers in words and as a table.

use leptos::prelude::*;
use leptos_meta::Title;
use rust_decimal::prelude::ToPrimitive;

use super::AdminNav;
use crate::api::dashboards::get_admin_dashboard;
use crate::components::charts::{BarChart, ChartBar, ColumnChart};
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::domain::dashboard::{AdminDashboard, CHART_DAYS, FailedEmail};
use crate::domain::format;
use crate::domain::{AppError, Money, UserRole};

#[component]
pub fn AdminHomePage() -> impl IntoView {
    view! {
        <Title text="Clinic overview" />
        <section class="container section">
            <AdminNav />
            <h1>"Clinic overview"</h1>
            <SignedIn role=UserRole::Admin children=|_| view! { <Overview /> } />
        </section>
    }
}

/// One key figure: a number and what it counts. `name` lets tests find it.
#[component]
pub fn Figure(
    name: &'static str,
    #[prop(into)] value: String,
    #[prop(into)] label: String,
    #[prop(into, optional)] note: Option<String>,
) -> impl IntoView {
    view! {
        <div class="stat" data-figure=name>
            <dt class="stat-label">{label}</dt>
            <dd class="stat-value">{value}</dd>
            {note.map(|note| view! { <dd class="stat-note muted small">{note}</dd> })}
        </div>
    }
}

#[component]
fn Overview() -> impl IntoView {
    let dashboard = Resource::new(|| (), |_| get_admin_dashboard());
    view! {
        <Suspense fallback=|| view! { <Loading label="Counting…" /> }>
            {move || Suspend::new(async move {
                let board = dashboard.await?;
                Ok::<_, AppError>(view! { <Figures board /> })
            })}
        </Suspense>
    }
}

/// The latest emails the mail worker gave up on, with the reason, so an admin can correct an
/// address or tell the person another way.
#[component]
fn FailedEmails(total: i64, emails: Vec<FailedEmail>) -> impl IntoView {
    (!emails.is_empty()).then(|| {
        view! {
            <div class="panel" id="failed-emails">
                <h2>"Undeliverable emails"</h2>
                <p class="muted">{format!(
                    "The latest {} of {total}; they will not be tried again.",
                    emails.len()
                )}</p>
                <table class="table">
                    <thead><tr><th>"When"</th><th>"To"</th><th>"Subject"</th><th>"Why"</th></tr></thead>
                    <tbody>
                        {emails.into_iter().map(|email| view! {
                            <tr>
                                <td>{format::short_date_clock(email.failed_at)}</td>
                                <td>{email.to_address}</td>
                                <td>{email.subject}</td>
                                <td class="small">{email.error}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    })
}

fn money(amount: rust_decimal::Decimal) -> String {
    Money::from_decimal(amount).to_string()
}

#[component]
fn Figures(board: AdminDashboard) -> impl IntoView {
    let per_day: Vec<ChartBar> = board
        .bookings_per_day
        .iter()
        .map(|day| ChartBar {
            label: format::short_day_month(day.day),
            value: day.count as f64,
            shown: day.count.to_string(),
        })
        .collect();
    let total_30: i64 = board.bookings_per_day.iter().map(|d| d.count).sum();
    let busiest = board
        .bookings_per_day
        .iter()
        .max_by_key(|d| (d.count, d.day))
        .filter(|d| d.count > 0)
        .map(|d| {
            format!(
                " The busiest day was {} with {}.",
                format::day_month(d.day),
                d.count
            )
        })
        .unwrap_or_default();
    let per_day_words = format!(
        "{total_30} bookings in the last {CHART_DAYS} days, {:.1} a day on average.{busiest}",
        total_30 as f64 / CHART_DAYS as f64
    );
    let by_specialty: Vec<ChartBar> = board
        .revenue_by_specialty
        .iter()
        .map(|row| ChartBar {
            label: row.specialty.clone(),
            value: row.revenue.to_f64().unwrap_or_default(),
            shown: money(row.revenue),
        })
        .collect();
    let specialty_words = match board.revenue_by_specialty.first() {
        None => "No completed payments yet.".to_owned(),
        Some(top) => format!(
            "Completed payments come from {} {}; {} leads with {} of {}.",
            board.revenue_by_specialty.len(),
            if board.revenue_by_specialty.len() == 1 {
                "specialty"
            } else {
                "specialties"
            },
            top.specialty,
            money(top.revenue),
            money(board.revenue_total)
        ),
    };
    let outcomes = &board.outcomes_30_days;
    let outcome_bars: Vec<ChartBar> = [
        ("Completed", outcomes.completed),
        ("Confirmed", outcomes.confirmed),
        ("Pending", outcomes.pending),
        ("Cancelled", outcomes.cancelled),
    ]
    .into_iter()
    .map(|(label, count)| ChartBar {
        label: label.to_owned(),
        value: count as f64,
        shown: if outcomes.total() == 0 {
            count.to_string()
        } else {
            format!(
                "{count} ({}%)",
                (count * 100 + outcomes.total() / 2) / outcomes.total()
            )
        },
    })
    .collect();
    let rate_words = format!(
        "{}% of the {} appointments booked in the last {CHART_DAYS} days were cancelled.",
        outcomes.cancellation_percent(),
        outcomes.total()
    );
    view! {
        <p class="muted">{format!("Today is {}. Dates are the clinic's.", format::long_day_year(board.today))}</p>
        <dl class="stat-grid">
            <Figure name="bookings-today" value=board.bookings_today.to_string() label="Bookings today" />
            <Figure name="bookings-week" value=board.bookings_week.to_string() label="Bookings this week" note="Since Monday" />
            <Figure name="revenue" value=money(board.revenue_total) label="Revenue"
                note=format!("Completed payments; {} in the last 30 days", money(board.revenue_30_days)) />
            <Figure name="cancellations" value=board.cancellations_30_days.to_string() label="Cancellations" note="Last 30 days" />
            <Figure name="refunds" value=board.refunds_30_days.to_string() label="Refunds"
                note=format!("{} in the last 30 days", money(board.refunded_30_days)) />
            <Figure name="active-doctors" value=board.active_doctors.to_string() label="Active doctors" />
            <Figure name="new-patients" value=board.new_patients_30_days.to_string() label="New patients" note="Last 30 days" />
            <Figure name="failed-emails" value=board.failed_emails.to_string() label="Undeliverable emails"
                note="Never sent: the address or the mail server refused them" />
        </dl>
        <FailedEmails total=board.failed_emails emails=board.latest_failed_emails.clone() />
        <div class="chart-grid">
            <ColumnChart id="chart-bookings" title=format!("Bookings per day, last {CHART_DAYS} days")
                description=per_day_words bars=per_day label_header="Day" value_header="Bookings" />
            <BarChart id="chart-revenue" title="Revenue by specialty" description=specialty_words
                bars=by_specialty label_header="Specialty" value_header="Revenue" />
            <BarChart id="chart-cancellations" title=format!("Cancellation rate, last {CHART_DAYS} days")
                description=rate_words bars=outcome_bars label_header="Outcome" value_header="Appointments" />
        </div>
    }
}
