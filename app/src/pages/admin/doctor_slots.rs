//! An admin manages one doctor's time slots, with the same calendar and forms the doctor has.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::AdminNav;
use crate::components::calendar::SlotManager;
use crate::components::guards::SignedIn;
use crate::domain::UserRole;

#[component]
pub fn AdminDoctorSlotsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    view! {
        <Title text="Doctor's slots" />
        <section class="container section">
            <AdminNav />
            <SignedIn role=UserRole::Admin children=move |_| {
                match id() {
                    Some(id) => view! {
                        <p class="breadcrumbs"><a href=format!("/admin/doctors/{id}")>"Back to the doctor's record"</a></p>
                        <h1>"Time slots"</h1>
                        <SlotManager doctor_id=Some(id) />
                    }
                    .into_any(),
                    None => view! { <crate::pages::NotFound /> }.into_any(),
                }
            } />
        </section>
    }
}
