//! Specialties: add, rename and describe, delete (only one without doctors).

use leptos::prelude::*;
use leptos_meta::Title;

use super::AdminNav;
use crate::api::admin::{CreateSpecialty, DeleteSpecialty, UpdateSpecialty};
use crate::api::specialties::list_specialties;
use crate::components::feedback::Loading;
use crate::components::forms::{Field, FormAlert, Submit, TextArea, last_error};
use crate::components::guards::SignedIn;
use crate::domain::{AppError, SpecialtySummary, UserRole};

#[component]
pub fn AdminSpecialtiesPage() -> impl IntoView {
    view! {
        <Title text="Specialties" />
        <section class="container section">
            <AdminNav />
            <h1>"Specialties"</h1>
            <SignedIn role=UserRole::Admin children=|_| view! { <Specialties /> } />
        </section>
    }
}

#[component]
fn Specialties() -> impl IntoView {
    let create = ServerAction::<CreateSpecialty>::new();
    let create_error = last_error(create.value());
    // Bumped by a row after its change, so the list is read again.
    let changed = RwSignal::new(0u32);
    let list = Resource::new(
        move || (create.version().get(), changed.get()),
        |_| list_specialties(),
    );
    view! {
        <div class="panel form-panel">
            <h2>"Add a specialty"</h2>
            <ActionForm action=create attr:class="form">
                <FormAlert error=create_error />
                <Show when=move || matches!(create.value().get(), Some(Ok(_)))>
                    <p class="alert alert-success" role="status">"The specialty is added."</p>
                </Show>
                <Field label="Name" name="name" error=create_error />
                <TextArea label="Description" name="description" error=create_error rows=2 maxlength=1000
                    hint="One sentence patients will read on the home page." />
                <Submit label="Add specialty" busy_label="Adding…" pending=create.pending().into() />
            </ActionForm>
        </div>
        <Suspense fallback=|| view! { <Loading label="Loading specialties…" /> }>
            {move || Suspend::new(async move {
                let specialties = list.await?;
                Ok::<_, AppError>(view! {
                    <ul class="admin-list" aria-label="Specialties">
                        {specialties
                            .into_iter()
                            .map(|specialty| view! { <SpecialtyRow specialty changed /> })
                            .collect_view()}
                    </ul>
                })
            })}
        </Suspense>
    }
}

#[component]
fn SpecialtyRow(specialty: SpecialtySummary, changed: RwSignal<u32>) -> impl IntoView {
    let update = ServerAction::<UpdateSpecialty>::new();
    let delete = ServerAction::<DeleteSpecialty>::new();
    let delete_error = last_error(delete.value());
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(())))
            || matches!(delete.value().get(), Some(Ok(())))
        {
            editing.set(false);
            changed.update(|n| *n += 1);
        }
    });
    let count = |n: i64| {
        if n == 1 {
            "1 doctor".to_owned()
        } else {
            format!("{n} doctors")
        }
    };
    let doctors = match (specialty.doctors, specialty.active_doctors) {
        (0, _) => "No doctors".to_owned(),
        (all, active) if all == active => count(all),
        (all, active) => format!("{} ({active} active)", count(all)),
    };
    let id = specialty.id;
    let (name_now, description_now) = (specialty.name.clone(), specialty.description.clone());
    let name = specialty.name.clone();
    view! {
        <li class="card admin-row" data-specialty=specialty.name.clone()>
            <div class="admin-row-main">
                <h2>{specialty.name.clone()}</h2>
                <p class="muted">{specialty.description.clone()}</p>
                <p class="muted small">{doctors}</p>
            </div>
            <div class="admin-row-actions">
                <button type="button" class="btn btn-secondary btn-small"
                    aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|open| *open = !*open)>
                    "Edit"
                </button>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="btn btn-danger btn-small"
                        aria-label=format!("Delete {name}")
                        disabled=move || delete.pending().get()>
                        "Delete"
                    </button>
                </ActionForm>
            </div>
            <FormAlert error=delete_error />
            <Show when=move || editing.get()>
                <SpecialtyEditForm id name=name_now.clone() description=description_now.clone() update />
            </Show>
        </li>
    }
}

#[component]
fn SpecialtyEditForm(
    id: i64,
    name: String,
    description: String,
    update: ServerAction<UpdateSpecialty>,
) -> impl IntoView {
    let error = last_error(update.value());
    view! {
        <ActionForm action=update attr:class="form admin-row-edit">
            <FormAlert error />
            <input type="hidden" name="id" value=id />
            <Field label="Name" name="name" error value=name />
            <TextArea label="Description" name="description" error rows=2 maxlength=1000 value=description />
            <Submit label="Save" busy_label="Saving…" pending=update.pending().into() />
        </ActionForm>
    }
}
