//! Patient registration.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::Register;
use crate::components::forms::{Field, FormAlert, Submit, last_error};

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = last_error(action.value());

    view! {
        <Title text="Create an account" />
        <section class="container section narrow">
            <div class="panel form-panel">
                <h1>"Create an account"</h1>
                <p class="muted">"We will email you a code to confirm your address before your first booking."</p>
                <ActionForm action attr:class="form">
                    <FormAlert error />
                    <div class="field-row">
                        <Field label="First name" name="first_name" autocomplete="given-name" error />
                        <Field label="Last name" name="last_name" autocomplete="family-name" error />
                    </div>
                    <Field label="Username" name="username" autocomplete="username" error
                        hint="3 to 150 letters, digits, dots, dashes or underscores." />
                    <Field label="Email" name="email" kind="email" autocomplete="email" error />
                    <Field label="Phone" name="phone" kind="tel" autocomplete="tel" error
                        hint="In international form, such as +44 20 7946 0000." />
                    <Field label="Password" name="password" kind="password" autocomplete="new-password" error
                        hint="At least 8 characters. Long and unusual beats short and clever." />
                    <Submit label="Create account" busy_label="Creating your account…" pending=action.pending().into() />
                </ActionForm>
                <p class="form-links">"Already registered? " <a href="/sign-in">"Sign in"</a></p>
            </div>
        </section>
    }
}
