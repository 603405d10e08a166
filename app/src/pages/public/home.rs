//! The home page: a doctor search and the specialties the clinic offers.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::specialties::list_specialties;
use crate::components::feedback::Loading;
use crate::domain::SpecialtySummary;

#[component]
pub fn HomePage() -> impl IntoView {
    let specialties = Resource::new(|| (), |_| list_specialties());

    view! {
        <Title text="" />
        <section class="hero">
            <div class="container hero-inner">
                <h1>"Care that fits your day"</h1>
                <p class="lead">
                    "Find the right doctor, book a free time slot and pay from your wallet, all in one place."
                </p>
                <form class="search-bar" method="get" action="/doctors" role="search">
                    <label for="home-search" class="visually-hidden">"Doctor's name"</label>
                    <input
                        id="home-search"
                        type="search"
                        name="q"
                        placeholder="Search doctors by name"
                        maxlength="100"
                    />
                    <button type="submit" class="btn btn-primary">"Search"</button>
                </form>
            </div>
        </section>
        <section id="specialties" class="container section" aria-labelledby="specialties-heading">
            <h2 id="specialties-heading">"Browse by specialty"</h2>
            <Suspense fallback=|| view! { <Loading label="Loading specialties…" /> }>
                {move || Suspend::new(async move {
                    specialties.await.map(|list| view! { <SpecialtyGrid list /> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SpecialtyGrid(list: Vec<SpecialtySummary>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"No specialties have been added yet."</p> }.into_any();
    }
    view! {
        <ul class="card-grid specialty-grid">
            {list
                .into_iter()
                .map(|specialty| {
                    let doctors = match specialty.active_doctors {
                        1 => "1 doctor".to_owned(),
                        n => format!("{n} doctors"),
                    };
                    view! {
                        <li>
                            <a class="card specialty-card" href=format!("/doctors?specialty={}", specialty.id)>
                                <h3>{specialty.name}</h3>
                                <p>{specialty.description}</p>
                                <span class="badge">{doctors}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
