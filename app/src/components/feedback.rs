//! Telling people what is happening: loading states and errors.

use leptos::prelude::*;

/// Shown by the app's error boundary: each error's message, and a way back.
#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <section class="container section">
            <div class="panel panel-error" role="alert">
                <h1>"Something went wrong"</h1>
                <ul>
                    {move || {
                        errors
                            .get()
                            .into_iter()
                            .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                            .collect_view()
                    }}
                </ul>
                <a class="btn btn-secondary" href="/">"Back to the home page"</a>
            </div>
        </section>
    }
}

/// A quiet placeholder while data loads.
#[component]
pub fn Loading(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <p class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </p>
    }
}
