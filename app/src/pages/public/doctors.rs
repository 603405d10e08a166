//! The doctor directory: search by name; filter by specialty, rating, fee and availability;
//! sort; page through. The filters live in the URL, so a search can be shared, the back button
//! works, and the form works without JavaScript (a plain GET).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::api::{directory::search_doctors, specialties::list_specialty_names};
use crate::components::feedback::Loading;
use crate::domain::directory::{DirectoryPage, DirectoryParams, DirectorySort};
use crate::domain::format;
use crate::domain::{AppError, DoctorCard};

/// The choices of the minimum-rating filter.
const RATING_CHOICES: [(&str, &str); 4] = [
    ("4.5", "4.5 and up"),
    ("4", "4 and up"),
    ("3.5", "3.5 and up"),
    ("3", "3 and up"),
];
/// The choices of the availability filter, in days; the last is the default horizon
/// (`CLINIC_SLOT_HORIZON_DAYS`), and the server refuses any beyond the configured one with a
/// message.
const WITHIN_CHOICES: [(i32, &str); 7] = [
    (1, "Within 24 hours"),
    (3, "Within 3 days"),
    (7, "Within a week"),
    (14, "Within 2 weeks"),
    (30, "Within a month"),
    (90, "Within 3 months"),
    (180, "Within 6 months"),
];

#[component]
pub fn DoctorsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let query = query.read();
        DirectoryParams::from_lookup(|name| query.get(name))
    });
    let page = Resource::new(move || params.get(), search_doctors);
    let specialties = Resource::new(|| (), |_| list_specialty_names());
    let value = move |pick: fn(&DirectoryParams) -> &String| move || pick(&params.read()).clone();
    let chosen = move |pick: fn(&DirectoryParams) -> &String, option: String| {
        move || *pick(&params.read()) == option
    };

    view! {
        <Title text="Find a doctor" />
        <section class="container section">
            <h1>"Find a doctor"</h1>
            <Form method="GET" action="/doctors" attr:class="filters" attr:role="search">
                <div class="field field-wide">
                    <label for="doctor-name">"Name"</label>
                    <input id="doctor-name" type="search" name="q" maxlength="100"
                        placeholder="For example: Patel" value=value(|p| &p.q) prop:value=value(|p| &p.q) />
                </div>
                <div class="field">
                    <label for="doctor-specialty">"Specialty"</label>
                    <Suspense fallback=|| view! { <select id="doctor-specialty" name="specialty" disabled=true></select> }>
                        {move || Suspend::new(async move {
                            let list = specialties.await?;
                            Ok::<_, AppError>(view! {
                                <select id="doctor-specialty" name="specialty">
                                    <option value="">"All specialties"</option>
                                    {list
                                        .into_iter()
                                        .map(|(id, name)| view! {
                                            <option value=id.to_string() selected=chosen(|p| &p.specialty, id.to_string())>
                                                {name}
                                            </option>
                                        })
                                        .collect_view()}
                                </select>
                            })
                        })}
                    </Suspense>
                </div>
                <div class="field">
                    <label for="doctor-rating">"Rating"</label>
                    <select id="doctor-rating" name="min_rating">
                        <option value="">"Any rating"</option>
                        {RATING_CHOICES
                            .iter()
                            .map(|(value, label)| view! {
                                <option value=*value selected=chosen(|p| &p.min_rating, (*value).to_owned())>{*label}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="doctor-fee">"Highest fee ($)"</label>
                    <input id="doctor-fee" type="number" name="max_fee" min="0" step="5" inputmode="decimal"
                        placeholder="Any" value=value(|p| &p.max_fee) prop:value=value(|p| &p.max_fee) />
                </div>
                <div class="field">
                    <label for="doctor-within">"Free"</label>
                    <select id="doctor-within" name="within">
                        <option value="">"Any time"</option>
                        {WITHIN_CHOICES
                            .iter()
                            .map(|(days, label)| view! {
                                <option value=days.to_string() selected=chosen(|p| &p.within, days.to_string())>{*label}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="doctor-sort">"Sort by"</label>
                    <select id="doctor-sort" name="sort">
                        {DirectorySort::ALL
                            .iter()
                            .map(|sort| {
                                let is_chosen = move || DirectorySort::parse(&params.read().sort).ok() == Some(*sort);
                                view! { <option value=sort.as_str() selected=is_chosen>{sort.label()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="filters-actions">
                    <button type="submit" class="btn btn-primary">"Search"</button>
                    <a class="btn btn-ghost" href="/doctors">"Clear"</a>
                </div>
            </Form>
            <Suspense fallback=|| view! { <Loading label="Finding doctors…" /> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <Results page params=params.get_untracked() /> }.into_any(),
                        Err(err) => view! { <SearchError err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A search the server could not run as asked: say what to change.
#[component]
fn SearchError(err: AppError) -> impl IntoView {
    view! {
        <div class="alert alert-error" role="alert">
            <p><strong>"This search cannot be run: "</strong>{err.to_string()}</p>
            <a href="/doctors">"Start a new search"</a>
        </div>
    }
}

#[component]
fn Results(page: DirectoryPage, params: DirectoryParams) -> impl IntoView {
    if page.doctors.is_empty() {
        return view! {
            <div class="panel empty">
                <h2>"No doctors match"</h2>
                <p>"Try a shorter name, another specialty, or fewer filters."</p>
            </div>
        }
        .into_any();
    }
    let previous = page
        .previous
        .as_deref()
        .map(|cursor| params.page_href(None, Some(cursor)));
    let next = page
        .next
        .as_deref()
        .map(|cursor| params.page_href(Some(cursor), None));
    view! {
        <p class="results-count" role="status">{format!("{} found", page.matches)}</p>
        <ul class="doctor-list">
            {page.doctors.into_iter().map(|doctor| view! { <DoctorRow doctor /> }).collect_view()}
        </ul>
        <nav class="pager" aria-label="Result pages">
            {previous.map(|href| view! { <a class="btn btn-secondary" rel="prev" href=href>"← Previous"</a> })}
            {next.map(|href| view! { <a class="btn btn-secondary" rel="next" href=href>"Next →"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn DoctorRow(doctor: DoctorCard) -> impl IntoView {
    let rating = if doctor.total_reviews == 0 {
        "No reviews yet".to_owned()
    } else {
        format!(
            "★ {:.1} ({} reviews)",
            doctor.average_rating, doctor.total_reviews
        )
    };
    let next = doctor.next_free_slot.map_or_else(
        || "No free times published yet".to_owned(),
        |start| format!("Next free: {}", format::short_day_clock(start)),
    );
    let years = match doctor.experience_years {
        1 => "1 year".to_owned(),
        n => format!("{n} years"),
    };
    view! {
        <li class="card doctor-card">
            <div class="avatar" aria-hidden="true">
                {doctor.first_name.chars().next()}
                {doctor.last_name.chars().next()}
            </div>
            <div class="doctor-main">
                <h2>
                    <a href=format!("/doctors/{}", doctor.id)>{doctor.display_name()}</a>
                </h2>
                <p class="muted">{doctor.specialty.clone()} " · " {years} " experience"</p>
                <p class="rating">{rating}</p>
            </div>
            <div class="doctor-side">
                <p class="fee">{doctor.fee().to_string()}</p>
                <p class="muted">{next}</p>
            </div>
        </li>
    }
}
