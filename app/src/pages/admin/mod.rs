//! The admin area: specialties and doctors.

mod doctor_edit;
mod doctors;
mod specialties;

pub use doctor_edit::{EditDoctorPage, NewDoctorPage};
pub use doctors::AdminDoctorsPage;
pub use specialties::AdminSpecialtiesPage;

use leptos::prelude::*;
use leptos_router::components::A;

/// The admin area's own navigation, above each of its pages.
#[component]
fn AdminNav() -> impl IntoView {
    view! {
        <nav class="subnav" aria-label="Admin">
            <A href="/admin/doctors">"Doctors"</A>
            <A href="/admin/specialties">"Specialties"</A>
        </nav>
    }
}
