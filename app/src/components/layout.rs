//! The frame around every page: the site header with its navigation, and the footer.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::accounts::SignOut;
use crate::components::viewer::use_viewer;
use crate::domain::UserRole;

#[component]
pub fn SiteHeader() -> impl IntoView {
    // On a phone the navigation folds behind a menu button. Choosing a link closes it again,
    // even the link to the page we are on (where the address does not change).
    let (menu_open, set_menu_open) = signal(false);

    view! {
        <header class="site-header">
            <div class="container header-inner">
                <a href="/" class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span>"Clinic"</span>
                </a>
                <button
                    type="button"
                    class="nav-toggle"
                    aria-controls="site-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    <span class="nav-toggle-bars" aria-hidden="true"></span>
                    <span class="visually-hidden">"Menu"</span>
                </button>
                <nav
                    id="site-nav"
                    class="site-nav"
                    class:open=move || menu_open.get()
                    aria-label="Main"
                    on:click=move |_| set_menu_open.set(false)
                >
                    <A href="/doctors">"Find a doctor"</A>
                    <a href="/#specialties">"Specialties"</a>
                    <AccountLinks />
                </nav>
            </div>
        </header>
    }
}

/// Sign in and register for visitors; the person's name and sign out once signed in. Rendered
/// on the server with the rest of the page (the [`Viewer`](crate::components::viewer::Viewer)
/// is known before rendering), and asked again after every navigation in the browser, so it
/// follows sign-in, sign-out and a session that ended.
#[component]
fn AccountLinks() -> impl IntoView {
    let viewer = use_viewer();
    let sign_out = ServerAction::<SignOut>::new();
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|previous| previous != path) {
            leptos::task::spawn_local(async move {
                viewer.refresh().await;
            });
        }
        path
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            viewer.set(None);
        }
    });
    move || match viewer.user() {
        Some(user) => view! {
            {(!user.email_verified).then(|| view! {
                <A href="/verify-email" attr:class="nav-warning">"Confirm email"</A>
            })}
            {match user.role {
                UserRole::Admin => view! { <A href="/admin">"Admin"</A> }.into_any(),
                UserRole::Doctor => view! {
                    <A href="/doctor" exact=true>"Your day"</A>
                    <A href="/doctor/appointments">"Appointments"</A>
                    <A href="/doctor/practice">"Your practice"</A>
                    <A href="/doctor/slots">"Your slots"</A>
                    <A href="/doctor/reviews">"Your reviews"</A>
                }.into_any(),
                UserRole::Patient => view! {
                    <A href="/patient">"Your visits"</A>
                    <A href="/appointments">"Appointments"</A>
                    <A href="/wallet">"Wallet"</A>
                    <A href="/reviews">"Your reviews"</A>
                }.into_any(),
            }}
            <A href="/profile">{user.display_name()}</A>
            <ActionForm action=sign_out attr:class="nav-form">
                <button type="submit" class="link-button">"Sign out"</button>
            </ActionForm>
        }
        .into_any(),
        None => view! {
            <A href="/sign-in">"Sign in"</A>
            <A href="/register" attr:class="btn btn-primary btn-small">"Register"</A>
        }
        .into_any(),
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container footer-inner">
                <p>
                    <strong>"Clinic"</strong>
                    " · Book a doctor in under a minute."
                </p>
                <p class="muted">"In an emergency, call your local emergency number."</p>
            </div>
        </footer>
    }
}
