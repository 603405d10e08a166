//! The profile: name and phone, password, email address, and (for patients) their data: a
//! copy to download, and deleting the account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::{ChangePassword, ConfirmEmailChange, RequestEmailChange, UpdateProfile};
use crate::api::privacy::DeleteMyAccount;
use crate::components::forms::{Field, FormAlert, Submit, last_error};
use crate::components::guards::SignedIn;
use crate::domain::{SessionUser, UserRole};

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
        {if user.role == UserRole::Patient {
            view! { <YourData /> <DeleteAccount /> }.into_any()
        } else {
            view! { <StaffAccountClosing role=user.role /> }.into_any()
        }}
    }
}

/// The patient's copy of their data: a plain link, so it downloads without JavaScript.
#[component]
fn YourData() -> impl IntoView {
    view! {
        <section class="panel form-panel" aria-labelledby="your-data-heading">
            <h2 id="your-data-heading">"Your data"</h2>
            <p>
                "Download everything the clinic holds about you as one JSON file: your details, "
                "appointments, payments, wallet history and card operations, reviews, the codes and "
                "emails we sent you, failed sign-ins to your account, and the audit log's entries "
                "about you."
            </p>
            <a class="btn btn-secondary" href="/profile/my-data.json" download rel="external">
                "Download my data"
            </a>
        </section>
    }
}

/// Deleting the patient's own account: what happens, spelled out, then the password.
#[component]
fn DeleteAccount() -> impl IntoView {
    let delete = ServerAction::<DeleteMyAccount>::new();
    let error = last_error(delete.value());
    let outcome = move || delete.value().get().and_then(Result::ok);
    view! {
        <section class="panel form-panel danger-zone" aria-labelledby="delete-account-heading">
            <h2 id="delete-account-heading">"Delete account"</h2>
            <Show
                when=move || outcome().is_none()
                fallback=move || view! {
                    <div class="alert alert-success" role="status">
                        <p><strong>"Your account has been deleted and you are signed out."</strong></p>
                        <p>{move || outcome().map(|done| done.summary())}</p>
                        <p><a href="/" rel="external">"Go to the home page"</a></p>
                    </div>
                }
            >
                <p>"Deleting your account cannot be undone. When you delete it:"</p>
                <ul class="consequences">
                    <li>"Your future appointments are cancelled, with the refund the cancellation policy gives, as if you cancelled each one yourself."</li>
                    <li>"The money in your wallet, refunds included, is sent to the card you enter below. Without a card, or if the payout does not go through, the clinic keeps it on record as owed to you, under a reference number you are shown."</li>
                    <li>"Your name, username, email address, phone number and visit notes are erased. You can register again with the same email address."</li>
                    <li>"Your reviews stay on the doctors' pages, shown as anonymous."</li>
                    <li>"Payments and wallet history, which the clinic must keep by law, stay, tied to an anonymous number instead of you."</li>
                    <li>"You are signed out everywhere and can no longer sign in."</li>
                </ul>
                <p>"If you want a copy of your data, download it first."</p>
                <ActionForm action=delete attr:class="form">
                    <FormAlert error />
                    <fieldset class="card-fieldset">
                        <legend>"Card for your wallet's balance (optional)"</legend>
                        <Field label="Card number" name="card_number" id="delete-card-number" autocomplete="cc-number" error required=false />
                        <div class="field-row">
                            <Field label="Expiry (MM/YY)" name="expiry" id="delete-card-expiry" autocomplete="cc-exp" error required=false />
                            <Field label="Security code" name="cvc" id="delete-card-cvc" autocomplete="cc-csc" error required=false />
                        </div>
                    </fieldset>
                    <Field label="Your password" name="password" id="delete-account-password" kind="password" autocomplete="current-password" error
                        hint="To make sure it is you." />
                    <Submit label="Delete my account" busy_label="Deleting your account…" pending=delete.pending().into() class="btn btn-danger" />
                </ActionForm>
            </Show>
        </section>
    }
}

/// Doctors and admins cannot delete their accounts here (see `services::erasure`): what to do
/// instead.
#[component]
fn StaffAccountClosing(role: UserRole) -> impl IntoView {
    let why = if role == UserRole::Doctor {
        "Your name is part of your patients' records of their visits and of their payments, which the clinic must keep, so a doctor's account cannot be deleted."
    } else {
        "An administrator's account stands behind the actions recorded in the audit log, so it cannot be deleted."
    };
    view! {
        <section class="panel form-panel" aria-labelledby="close-account-heading">
            <h2 id="close-account-heading">"Closing your account"</h2>
            <p>{why}</p>
            <p>"To close it, ask an administrator to deactivate it: you are then signed out everywhere and cannot sign in."</p>
        </section>
    }
}
