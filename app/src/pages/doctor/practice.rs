//! A doctor's own bio and consultation fee.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::practice::{UpdateMyPractice, get_my_practice};
use crate::components::feedback::Loading;
use crate::components::forms::{Field, FormAlert, Submit, TextArea, last_error};
use crate::components::guards::SignedIn;
use crate::domain::{AppError, UserRole};

#[component]
pub fn PracticePage() -> impl IntoView {
    view! {
        <Title text="Your practice" />
        <section class="container section narrow">
            <h1>"Your practice"</h1>
            <SignedIn role=UserRole::Doctor children=|_| view! { <PracticeForm /> } />
        </section>
    }
}

#[component]
fn PracticeForm() -> impl IntoView {
    let action = ServerAction::<UpdateMyPractice>::new();
    let error = last_error(action.value());
    let practice = Resource::new(|| (), |_| get_my_practice());
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading your practice…" /> }>
            {move || Suspend::new(async move {
                let practice = practice.await?;
                Ok::<_, AppError>(view! {
                    <div class="panel form-panel">
                        <p class="muted">"Patients see these on your public page."</p>
                        <ActionForm action attr:class="form">
                            <FormAlert error />
                            <Show when=move || matches!(action.value().get(), Some(Ok(())))>
                                <p class="alert alert-success" role="status">{crate::domain::outcomes::PRACTICE_SAVED}</p>
                            </Show>
                            <Field label="Consultation fee ($)" name="consultation_fee" error
                                value=format!("{:.2}", practice.consultation_fee.amount())
                                hint="Appointments already booked keep the fee they were booked at." />
                            <TextArea label="Bio" name="bio" error value=practice.bio.clone() rows=8 />
                            <Submit label="Save" busy_label="Saving…" pending=action.pending().into() />
                        </ActionForm>
                    </div>
                })
            })}
        </Suspense>
    }
}
