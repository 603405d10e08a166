//! Gates for pages: signed-in only, or one role only. They are a courtesy to the person; every
//! server function checks again on the server.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use crate::components::feedback::Loading;
use crate::components::viewer::use_viewer;
use crate::domain::{SessionUser, UserRole, encode_query};

/// Renders `children` with the signed-in user. A visitor is sent to sign in and brought back
/// afterwards; someone signed in with another `role` is told the page is not for them.
///
/// It decides at once from the page's [`Viewer`](crate::components::viewer::Viewer), with no
/// resource and no placeholder: the server renders the whole page (or answers with the
/// redirect), and hydration meets the same tree.
#[component]
pub fn SignedIn<F, V>(children: F, #[prop(optional)] role: Option<UserRole>) -> impl IntoView
where
    F: Fn(SessionUser) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let viewer = use_viewer();
    // Rebuilt only when the person changes: the viewer ignores a refresh that found the same.
    move || {
        let children = children.clone();
        match viewer.user() {
            None => view! { <SendToSignIn /> }.into_any(),
            Some(user) if role.is_some_and(|role| role != user.role) => {
                view! { <NotAllowed /> }.into_any()
            }
            Some(user) => children(user).into_any(),
        }
    }
}

/// A visitor on a page behind sign-in. On the server the answer is a redirect. In the
/// browser the page may only know of an older state (this navigation follows a sign-in made a
/// moment ago), so it asks the server before sending anyone away.
#[component]
fn SendToSignIn() -> impl IntoView {
    let location = use_location();
    let here = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    let target = format!("/sign-in?next={}", encode_query(&here));
    answer_with_redirect(&target);
    let viewer = use_viewer();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let navigate = navigate.clone();
        let target = target.clone();
        leptos::task::spawn_local(async move {
            if let Some(None) = viewer.refresh().await {
                navigate(&target, Default::default());
            }
        });
    });
    view! { <Loading label="Checking your sign-in…" /> }
}

/// On the server, a real `302 Found` (the page renders whole for these routes), so even a
/// browser without JavaScript follows it.
fn answer_with_redirect(target: &str) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(location) = http::HeaderValue::from_str(target)
    {
        response.set_status(http::StatusCode::FOUND);
        response.insert_header(http::header::LOCATION, location);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = target;
}

#[component]
fn NotAllowed() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <div class="panel">
            <p class="eyebrow">"Not allowed"</p>
            <h1>"This page is not for your account"</h1>
            <p>"You are signed in, but this part of Clinic belongs to another kind of account."</p>
            <a class="btn btn-primary" href="/">"Home page"</a>
        </div>
    }
}
