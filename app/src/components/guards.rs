//! Gates for pages: signed-in only, or one role only. They are a courtesy to the person; every
//! server function checks again on the server.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::api::accounts::get_current_user;
use crate::components::feedback::Loading;
use crate::domain::{SessionUser, UserRole, encode_query};

/// Renders `children` with the signed-in user. A visitor is sent to sign in and brought back
/// afterwards; someone signed in with another `role` is told the page is not for them.
#[component]
pub fn SignedIn<F, V>(children: F, #[prop(optional)] role: Option<UserRole>) -> impl IntoView
where
    F: Fn(SessionUser) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let user = Resource::new(|| (), |_| get_current_user());
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your account…" /> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                    user.await.map(|user| match user {
                        None => {
                            let target = format!("/sign-in?next={}", encode_query(&here));
                            answer_with_redirect(&target);
                            view! { <Redirect path=target /> }.into_any()
                        }
                        Some(user) if role.is_some_and(|role| role != user.role) => {
                            view! { <NotAllowed /> }.into_any()
                        }
                        Some(user) => children(user).into_any(),
                    })
                })
            }}
        </Suspense>
    }
}

/// On the server, a real `302 Found` (the page renders whole for these routes), so even a
/// browser without JavaScript follows it; in the browser `<Redirect>` navigates.
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
