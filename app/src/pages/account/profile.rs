//! The profile: name and phone, password, and email address.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::{ChangePassword, ConfirmEmailChange, RequestEmailChange, UpdateProfile};
use crate::components::forms::{Field, FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;
use crate::domain::SessionUser;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let query = use_query_map();
    let verified = move || query.read().get("verified").is_some();
    view! {
        <Title text="Your profile" />
        <section class="container section narrow">
            <h1>"Your profile"</h1>
            <Show when=verified>
                <div class="alert alert-success" role="status">"Thank you: your email address is confirmed."</div>
            </Show>
            <SignedIn children=|user| view! { <ProfileForms user /> } />
        </section>
    }
}

#[component]
fn ProfileForms(user: SessionUser) -> impl IntoView {
    let details = ServerAction::<UpdateProfile>::new();
    let details_error = last_error(details.value());
    let saved = move || matches!(details.value().get(), Some(Ok(_)));

    let password = ServerAction::<ChangePassword>::new();
    let password_error = last_error(password.value());
    let password_changed = move || matches!(password.value().get(), Some(Ok(())));

    let email_request = ServerAction::<RequestEmailChange>::new();
    let email_request_error = last_error(email_request.value());
    let code_sent = move || matches!(email_request.value().get(), Some(Ok(())));
    let email_confirm = ServerAction::<ConfirmEmailChange>::new();
    let email_confirm_error = last_error(email_confirm.value());
    let current_email = RwSignal::new(user.email.clone());
    Effect::new(move |_| {
        if let Some(Ok(updated)) = email_confirm.value().get() {
            current_email.set(updated.email);
        }
    });

    view! {
        {(!user.email_verified).then(|| view! {
            <div class="alert alert-warning" role="status">
                "Your email address is not confirmed yet, so you cannot book. "
                <a href="/verify-email">"Enter your code"</a>
            </div>
        })}
        <div class="panel form-panel">
            <h2>"Your details"</h2>
            <p class="muted">"Signed in as " <strong>{user.username.clone()}</strong></p>
            <ActionForm action=details attr:class="form">
                <FormAlert error=details_error />
                <Show when=saved>
                    <p class="alert alert-success" role="status">{crate::domain::outcomes::DETAILS_SAVED}</p>
                </Show>
                <div class="field-row">
                    <Field label="First name" name="first_name" autocomplete="given-name" error=details_error value=user.first_name.clone() />
                    <Field label="Last name" name="last_name" autocomplete="family-name" error=details_error value=user.last_name.clone() />
                </div>
                <Field label="Phone" name="phone" kind="tel" autocomplete="tel" error=details_error value=user.phone_number.clone() />
                <Submit label="Save details" busy_label="Saving…" pending=details.pending().into() />
            </ActionForm>
        </div>
        <div class="panel form-panel">
            <h2>"Password"</h2>
            <ActionForm action=password attr:class="form">
                <FormAlert error=password_error />
                <Show when=password_changed>
                    <p class="alert alert-success" role="status">{crate::domain::outcomes::PASSWORD_CHANGED}</p>
                </Show>
                <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" error=password_error />
                <Field label="New password" name="new_password" kind="password" autocomplete="new-password" error=password_error />
                <Submit label="Change password" busy_label="Changing…" pending=password.pending().into() />
            </ActionForm>
        </div>
        <div class="panel form-panel">
            <h2>"Email address"</h2>
            <p>"Now: " <strong>{move || current_email.get()}</strong></p>
            <ActionForm action=email_request attr:class="form">
                <FormAlert error=email_request_error />
                <Field label="New email address" name="email" kind="email" autocomplete="email" error=email_request_error
                    hint="We send a code to the new address; it changes once you enter the code." />
                <Field label="Your password" name="password" id="change-email-password" kind="password" autocomplete="current-password" error=email_request_error />
                <Submit label="Send code" busy_label="Sending…" pending=email_request.pending().into() class="btn btn-secondary" />
            </ActionForm>
            <Show when=code_sent>
                <ActionForm action=email_confirm attr:class="form">
                    <FormAlert error=email_confirm_error />
                    <Field label="Code sent to the new address" name="code" autocomplete="one-time-code" error=email_confirm_error />
                    <Submit label="Confirm new address" busy_label="Checking…" pending=email_confirm.pending().into() />
                </ActionForm>
            </Show>
        </div>
    }
}
