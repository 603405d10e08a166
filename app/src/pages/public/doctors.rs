//! The doctor directory: search by name and filter by specialty. The filters live in the URL,
//! so a search can be shared and the back button works.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::api::{doctors::search_doctors, specialties::list_specialties};
use crate::components::feedback::Loading;
use crate::domain::{AppError, DoctorCard};

#[component]
pub fn DoctorsPage() -> impl IntoView {
    let query = use_query_map();
    let name = move || query.read().get("q").unwrap_or_default();
    let specialty = move || {
        query
            .read()
            .get("specialty")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let doctors = Resource::new(
        move || (name(), specialty()),
        |(name, specialty)| search_doctors(name, specialty),
    );
    let specialties = Resource::new(|| (), |_| list_specialties());

    view! {
        <Title text="Find a doctor" />
        <section class="container section">
            <h1>"Find a doctor"</h1>
            <Form method="GET" action="/doctors" attr:class="filters" attr:role="search">
                <div class="field">
                    <label for="doctor-name">"Name"</label>
                    <input id="doctor-name" type="search" name="q" maxlength="100" prop:value=name />
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
                                        .map(|s| {
                                            let selected = move || specialty() == Some(s.id);
                                            view! {
                                                <option value=s.id.to_string() selected=selected>
                                                    {s.name}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            })
                        })}
                    </Suspense>
                </div>
                <button type="submit" class="btn btn-primary">"Search"</button>
            </Form>
            <Suspense fallback=|| view! { <Loading label="Finding doctors…" /> }>
                {move || Suspend::new(async move {
                    let list = doctors.await?;
                    Ok::<_, AppError>(view! { <DoctorList list /> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DoctorList(list: Vec<DoctorCard>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <div class="panel empty">
                <h2>"No doctors match"</h2>
                <p>"Try a shorter name or another specialty."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <ul class="doctor-list">
            {list.into_iter().map(|doctor| view! { <DoctorRow doctor /> }).collect_view()}
        </ul>
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
        || "No free slots".to_owned(),
        |start| format!("Next free: {}", start.format("%a %-d %b, %H:%M")),
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
