//! Forgotten password: ask for a code, then choose a new password with it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::{ForgotPassword, ResetPassword};
use crate::components::forms::{Field, FormAlert, Submit, last_error};
use crate::domain::encode_query;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let error = last_error(action.value());
    // The input is cleared once the answer arrives; keep the address for the next step.
    let last_email = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            last_email.set(input.email);
        }
    });
    let done = move || matches!(action.value().get(), Some(Ok(())));

    view! {
        <Title text="Forgot your password" />
        <section class="container section narrow">
            <div class="panel form-panel">
                <h1>"Forgot your password?"</h1>
                <Show
                    when=done
                    fallback=move || view! {
                        <p>"Enter your account's email address and we will send you a code to choose a new password."</p>
                        <ActionForm action attr:class="form">
                            <FormAlert error />
                            <Field label="Email" name="email" kind="email" autocomplete="email" error />
                            <Submit label="Send code" busy_label="Sending…" pending=action.pending().into() />
                        </ActionForm>
                    }
                >
                    <div class="alert alert-success" role="status">
                        {crate::domain::outcomes::RESET_CODE_SENT}
                    </div>
                    <a
                        class="btn btn-primary"
                        href=move || format!("/reset-password?email={}", encode_query(&last_email.get()))
                    >
                        "Enter the code"
                    </a>
                </Show>
            </div>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action.value());
    let query = use_query_map();
    let email = move || query.read().get("email").unwrap_or_default();
    // A new doctor's welcome email links here with the code filled in.
    let code = move || query.read().get("code").unwrap_or_default();

    view! {
        <Title text="Choose a new password" />
        <section class="container section narrow">
            <div class="panel form-panel">
                <h1>"Choose a new password"</h1>
                <ActionForm action attr:class="form">
                    <FormAlert error />
                    <Field label="Email" name="email" kind="email" autocomplete="email" error value=email() />
                    <Field label="Code from the email" name="code" autocomplete="one-time-code" error value=code() />
                    <Field label="New password" name="password" kind="password" autocomplete="new-password" error
                        hint="At least 8 characters. Signing in elsewhere ends when you change it." />
                    <Submit label="Change password" busy_label="Changing…" pending=action.pending().into() />
                </ActionForm>
                <p class="form-links"><a href="/forgot-password">"Send a new code"</a></p>
            </div>
        </section>
    }
}
