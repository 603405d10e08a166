//! Account pages: register, verify the email, sign in, reset the password, the profile.

mod password_reset;
mod profile;
mod register;
mod sign_in;
mod verify_email;

pub use password_reset::{ForgotPasswordPage, ResetPasswordPage};
pub use profile::ProfilePage;
pub use register::RegisterPage;
pub use sign_in::SignInPage;
pub use verify_email::VerifyEmailPage;

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::api::auth::get_current_user;
use crate::components::feedback::Loading;
use crate::domain::{AppError, SessionUser};

/// The error of an action's last submission.
fn last_error<T: 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

/// Renders `children` with the signed-in user; a visitor is sent to sign in and brought back.
#[component]
fn SignedIn<F, V>(children: F) -> impl IntoView
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
                        Some(user) => children(user).into_any(),
                        None => view! {
                            <Redirect path=format!("/sign-in?next={}", encode_query(&here)) />
                        }
                        .into_any(),
                    })
                })
            }}
        </Suspense>
    }
}

/// Percent-encodes `text` for a query-string value.
fn encode_query(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}
