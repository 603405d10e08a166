//! The admin area: the overview, specialties, doctors, reviews, accounts, appointments,
//! payments, the ledger and the audit log.

mod appointments;
mod audit;
mod doctor_edit;
mod doctor_slots;
mod doctors;
mod home;
mod payments;
mod reviews;
mod specialties;
mod transactions;
mod users;

pub use appointments::AdminAppointmentsPage;
pub use audit::AdminAuditPage;
pub use doctor_edit::{EditDoctorPage, NewDoctorPage};
pub use doctor_slots::AdminDoctorSlotsPage;
pub use doctors::AdminDoctorsPage;
pub use home::{AdminHomePage, Figure};
pub use payments::AdminPaymentsPage;
pub use reviews::AdminReviewsPage;
pub use specialties::AdminSpecialtiesPage;
pub use transactions::AdminTransactionsPage;
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
            <A href="/admin/appointments">"Appointments"</A>
            <A href="/admin/payments">"Payments"</A>
            <A href="/admin/transactions">"Transactions"</A>
            <A href="/admin/audit">"Audit log"</A>
        </nav>
    }
}
