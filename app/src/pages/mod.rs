//! One file per route, in folders by audience.

pub mod account;
pub mod admin;
pub mod doctor;
pub mod lazy;
pub mod patient;
pub mod public;

use leptos::prelude::*;
use leptos_meta::Title;

/// The page for any address we do not know; answers with HTTP 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    view! {
        <Title text="Page not found" />
        <section class="container section narrow">
            <div class="panel">
                <p class="eyebrow">"Error 404"</p>
                <h1>"We could not find that page"</h1>
                <p>
                    "The address may be mistyped, or the page may have moved. "
                    "You can search for a doctor or start again from the home page."
                </p>
                <div class="actions">
                    <a class="btn btn-primary" href="/doctors">"Find a doctor"</a>
                    <a class="btn btn-secondary" href="/">"Home page"</a>
                </div>
            </div>
        </section>
    }
}
