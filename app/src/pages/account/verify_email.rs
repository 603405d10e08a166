//! Enter the code we emailed, or ask for a new one.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::{ResendCode, VerifyEmail};
use crate::components::forms::{Field, FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    view! {
        <Title text="Confirm your email" />
        <section class="container section narrow">
            <SignedIn children=|user| {
                if user.email_verified {
                    return view! {
                        <div class="panel">
                            <h1>"Your email is confirmed"</h1>
                            <p>"You can book appointments."</p>
                            <a class="btn btn-primary" href="/doctors">"Find a doctor"</a>
                        </div>
                    }
                    .into_any();
                }
                view! { <VerifyForm email=user.email /> }.into_any()
            } />
        </section>
    }
}

#[component]
fn VerifyForm(email: String) -> impl IntoView {
    let verify = ServerAction::<VerifyEmail>::new();
    let error = last_error(verify.value());
    let resend = ServerAction::<ResendCode>::new();
    let resend_error = last_error(resend.value());
    let resent = move || matches!(resend.value().get(), Some(Ok(())));

    view! {
        <div class="panel form-panel">
            <h1>"Confirm your email"</h1>
            <p>
                "We sent a 6-digit code to " <strong>{email}</strong>
                ". Enter it below to confirm your address; until then you can look around but not book."
            </p>
            <ActionForm action=verify attr:class="form">
                <FormAlert error />
                <Field label="Code" name="code" autocomplete="one-time-code" error hint="The code works for 10 minutes." />
                <Submit label="Confirm" busy_label="Checking…" pending=verify.pending().into() />
            </ActionForm>
            <ActionForm action=resend attr:class="form inline-form">
                <Show when=resent>
                    <p class="alert alert-success" role="status">{crate::domain::outcomes::CODE_RESENT}</p>
                </Show>
                <FormAlert error=resend_error />
                <Submit label="Send a new code" busy_label="Sending…" pending=resend.pending().into() class="btn btn-secondary" />
            </ActionForm>
        </div>
    }
}
