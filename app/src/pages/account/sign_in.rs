//! Sign in with username or email and password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::SignIn;
use crate::components::forms::{Field, FormAlert, Submit, last_error};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = last_error(action.value());
    let query = use_query_map();
    let next = move || {
        crate::domain::ReturnPath::or_home(query.read().get("next").as_deref())
            .as_str()
            .to_owned()
    };
    let reset = move || query.read().get("reset").is_some();

    view! {
        <Title text="Sign in" />
        <section class="container section narrow">
            <div class="panel form-panel">
                <h1>"Sign in"</h1>
                <Show when=reset>
                    <div class="alert alert-success" role="status">
                        "Your password has been changed. Sign in with the new one."
                    </div>
                </Show>
                <ActionForm action attr:class="form">
                    <FormAlert error />
                    // An attribute, not a property: without the bundle (JavaScript off, or a page whose
                    // hydration failed) the plain form still sends the return address.
                    <input type="hidden" name="next" value=next />
                    <Field label="Username or email" name="identifier" autocomplete="username" error />
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" error />
                    <label class="check">
                        <input type="checkbox" name="remember" value="on" />
                        " Keep me signed in on this device"
                    </label>
                    <Submit label="Sign in" busy_label="Signing in…" pending=action.pending().into() />
                </ActionForm>
                <p class="form-links">
                    <a href="/forgot-password">"Forgot your password?"</a>
                    " · "
                    <a href="/register">"Create an account"</a>
                </p>
            </div>
        </section>
    }
}
