//! Onboarding a doctor, and editing one: every field, activation, and the password invitation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::AdminNav;
use crate::api::admin::{
    OnboardDoctor, ResendDoctorInvitation, SetDoctorActive, UpdateDoctor, get_doctor_record,
};
use crate::api::specialties::list_specialties;
use crate::components::feedback::Loading;
use crate::components::forms::{Choice, Field, FormAlert, Submit, TextArea, last_error};
use crate::components::guards::SignedIn;
use crate::domain::{AppError, DoctorForm, DoctorRecord, SpecialtySummary, UserRole};

#[component]
pub fn NewDoctorPage() -> impl IntoView {
    view! {
        <Title text="Onboard a doctor" />
        <section class="container section narrow">
            <AdminNav />
            <h1>"Onboard a doctor"</h1>
            <p class="muted">"The doctor gets an email with a link to choose their password. They appear in the directory straight away."</p>
            <SignedIn role=UserRole::Admin children=|_| view! { <NewDoctorForm /> } />
        </section>
    }
}

#[component]
fn NewDoctorForm() -> impl IntoView {
    let action = ServerAction::<OnboardDoctor>::new();
    let error = last_error(action.value());
    let specialties = specialty_choices();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = action.value().get() {
            navigate(
                &format!("/admin/doctors/{id}?created=1"),
                Default::default(),
            );
        }
    });
    view! {
        <div class="panel form-panel">
            <ActionForm action attr:class="form">
                <FormAlert error />
                <DoctorFields error form=DoctorForm::default() specialties />
                <Submit label="Create and send invitation" busy_label="Creating…" pending=action.pending().into() />
            </ActionForm>
        </div>
    }
}

/// The specialties a doctor can be given.
type SpecialtyChoices = Resource<Result<Vec<SpecialtySummary>, AppError>>;

/// Made by the page itself, never by the form once the doctor has loaded: a resource made
/// inside a suspended view can be made more than once on the server, and hydration would then
/// read another resource's data (a page that dies in the browser).
fn specialty_choices() -> SpecialtyChoices {
    Resource::new(|| (), |_| list_specialties())
}

/// The fields shared by the onboarding and the edit form, filled from `form`.
#[component]
fn DoctorFields(
    error: Signal<Option<AppError>>,
    form: DoctorForm,
    specialties: SpecialtyChoices,
) -> impl IntoView {
    let chosen = form.specialty.clone();
    view! {
        <div class="field-row">
            <Field label="First name" name="first_name" error value=form.first_name />
            <Field label="Last name" name="last_name" error value=form.last_name />
        </div>
        <div class="field-row">
            <Field label="Email" name="email" kind="email" error value=form.email />
            <Field label="Phone" name="phone" kind="tel" error value=form.phone required=false hint="Optional." />
        </div>
        <Suspense fallback=|| view! { <Loading label="Loading specialties…" /> }>
            {move || {
                let chosen = chosen.clone();
                Suspend::new(async move {
                    let choices = specialties
                        .await?
                        .into_iter()
                        .map(|s| (s.id.to_string(), s.name))
                        .collect();
                    Ok::<_, AppError>(view! {
                        <Choice label="Specialty" name="specialty" error choices placeholder="Choose a specialty…" value=chosen />
                    })
                })
            }}
        </Suspense>
        <div class="field-row">
            <Field label="License number" name="license_number" error value=form.license_number />
            <Field label="Years of experience" name="experience_years" kind="number" error value=form.experience_years />
        </div>
        <Field label="Consultation fee ($)" name="consultation_fee" error value=form.consultation_fee
            hint="For example 85.00. Booked appointments keep the fee they were booked at." />
        <TextArea label="Bio" name="bio" error value=form.bio hint="Shown on the doctor's public page." />
    }
}

#[component]
pub fn EditDoctorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    view! {
        <Title text="Edit doctor" />
        <section class="container section narrow">
            <AdminNav />
            <SignedIn role=UserRole::Admin children=move |_| {
                match id() {
                    Some(id) => view! { <EditDoctor id /> }.into_any(),
                    None => view! { <crate::pages::NotFound /> }.into_any(),
                }
            } />
        </section>
    }
}

#[component]
fn EditDoctor(id: i64) -> impl IntoView {
    let update = ServerAction::<UpdateDoctor>::new();
    let activation = ServerAction::<SetDoctorActive>::new();
    let record = Resource::new(
        move || (update.version().get(), activation.version().get()),
        move |_| get_doctor_record(id),
    );
    let specialties = specialty_choices();
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading the doctor…" /> }>
            {move || Suspend::new(async move {
                let doctor = record.await?;
                Ok::<_, AppError>(view! { <DoctorEditor doctor update activation specialties /> })
            })}
        </Suspense>
    }
}

#[component]
fn DoctorEditor(
    doctor: DoctorRecord,
    update: ServerAction<UpdateDoctor>,
    activation: ServerAction<SetDoctorActive>,
    specialties: SpecialtyChoices,
) -> impl IntoView {
    let query = use_query_map();
    let created = move || query.read().get("created").is_some();
    let error = last_error(update.value());
    let activation_error = last_error(activation.value());
    let invitation = ServerAction::<ResendDoctorInvitation>::new();
    let invitation_error = last_error(invitation.value());
    let id = doctor.id;
    let form = doctor.to_form();
    let created_message = format!(
        "{} is onboarded. We emailed {} a link to choose a password.",
        doctor.display_name(),
        doctor.email
    );
    let (status_class, status) = match (doctor.is_active, doctor.password_set) {
        (false, _) => (
            "badge badge-muted",
            "Inactive: hidden from search, cannot be booked",
        ),
        (true, false) => (
            "badge badge-warning",
            "Active · has not chosen a password yet",
        ),
        (true, true) => ("badge badge-success", "Active"),
    };
    view! {
        <div class="page-heading">
            <h1>{doctor.display_name()}</h1>
            <span class=status_class>{status}</span>
        </div>
        <Show when=created>
            <div class="alert alert-success" role="status">
                {created_message.clone()}
            </div>
        </Show>
        <div class="panel form-panel">
            <h2>"Record"</h2>
            <ActionForm action=update attr:class="form">
                <FormAlert error />
                <Show when=move || matches!(update.value().get(), Some(Ok(())))>
                    <p class="alert alert-success" role="status">"Saved."</p>
                </Show>
                <input type="hidden" name="id" value=id />
                <DoctorFields error form=form.clone() specialties />
                <Submit label="Save changes" busy_label="Saving…" pending=update.pending().into() />
            </ActionForm>
        </div>
        <div class="panel form-panel">
            <h2>"Availability to patients"</h2>
            <p class="muted">
                {if doctor.is_active {
                    "Deactivating hides the doctor from search and stops new bookings. Booked appointments stay as they are."
                } else {
                    "Activating lists the doctor in search again and lets patients book their free slots."
                }}
            </p>
            <ActionForm action=activation attr:class="form">
                <FormAlert error=activation_error />
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="active" value=(!doctor.is_active).to_string() />
                <Submit
                    label=if doctor.is_active { "Deactivate" } else { "Activate" }
                    busy_label="Saving…"
                    pending=activation.pending().into()
                    class=if doctor.is_active { "btn btn-danger" } else { "btn btn-primary" }
                />
            </ActionForm>
            <p><a href=format!("/doctors/{}", doctor.id)>"See the public page"</a></p>
            <p><a href=format!("/admin/doctors/{}/slots", doctor.id)>"Manage time slots"</a></p>
        </div>
        {(!doctor.password_set).then(|| view! {
            <div class="panel form-panel">
                <h2>"Password invitation"</h2>
                <p class="muted">"The link in the welcome email works for 3 days. Send a new one if it has run out."</p>
                <ActionForm action=invitation attr:class="form">
                    <FormAlert error=invitation_error />
                    <Show when=move || matches!(invitation.value().get(), Some(Ok(())))>
                        <p class="alert alert-success" role="status">"A new invitation is on its way."</p>
                    </Show>
                    <input type="hidden" name="id" value=id />
                    <Submit label="Send a new invitation" busy_label="Sending…" pending=invitation.pending().into() class="btn btn-secondary" />
                </ActionForm>
            </div>
        })}
    }
}
