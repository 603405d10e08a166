//! The admin area: specialties, doctors and review moderation.

mod audit;
mod doctor_edit;
mod doctor_slots;
mod doctors;
mod home;
mod reviews;
mod specialties;
mod users;

pub use audit::AdminAuditPage;
pub use doctor_edit::{EditDoctorPage, NewDoctorPage};
pub use doctor_slots::AdminDoctorSlotsPage;
pub use doctors::AdminDoctorsPage;
pub use home::{AdminHomePage, Figure};
pub use reviews::AdminReviewsPage;
pub use specialties::AdminSpecialtiesPage;
pub use users::AdminUsersPage;

use leptos::prelude::*;
use leptos_router::components::A;

/// The admin area's own navigation, above each of its pages.
#[component]
fn AdminNav() -> impl IntoView {
    view! {
        <nav class="subnav" aria-label="Admin">
            <A href="/admin" exact=true>"Overview"</A>
            <A href="/admin/doctors">"Doctors"</A>
            <A href="/admin/specialties">"Specialties"</A>
            <A href="/admin/reviews">"Reviews"</A>
            <A href="/admin/users">"Users"</A>
            <A href="/admin/audit">"Audit log"</A>
        </nav>
    }
}
