//! A doctor's own time slots: the week calendar and the forms that add and remove slots.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::calendar::SlotManager;
use crate::components::guards::SignedIn;
use crate::domain::UserRole;

#[component]
pub fn DoctorSlotsPage() -> impl IntoView {
    view! {
        <Title text="Your slots" />
        <section class="container section">
            <h1>"Your slots"</h1>
            <p class="muted">"Times are in the clinic's time zone. Patients see your free slots on your public page."</p>
            <SignedIn role=UserRole::Doctor children=|_| view! { <SlotManager doctor_id=None /> } />
        </section>
    }
}
