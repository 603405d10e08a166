//! The admin's list of doctors: search by name, email or license number, filter by status, a
//! page at a time, and download the matches as CSV.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;

use super::AdminNav;
use crate::api::admin::list_doctor_records;
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::components::lists::{ListTable, use_list_params};
use crate::domain::listing::ListParams;
use crate::domain::oversight::{DoctorParams, DoctorStatus};
use crate::domain::{AppError, DoctorRecord, Money, UserRole, encode_query};

#[component]
pub fn AdminDoctorsPage() -> impl IntoView {
    view! {
        <Title text="Doctors" />
        <section class="container section">
            <AdminNav />
            <div class="page-heading">
                <h1>"Doctors"</h1>
                <a class="btn btn-primary" href="/admin/doctors/new">"Onboard a doctor"</a>
            </div>
            <SignedIn role=UserRole::Admin children=|_| view! { <DoctorTable /> } />
        </section>
    }
}

#[component]
fn DoctorTable() -> impl IntoView {
    let params = use_list_params::<DoctorParams>();
    let search = move || params.read().q.clone();
    let status = move || params.read().status.clone();
    let doctors = Resource::new(move || params.get(), list_doctor_records);
    view! {
        <Form method="GET" action="/admin/doctors" attr:class="filters" attr:role="search">
            <div class="field field-wide">
                <label for="admin-doctor-search">"Name, email or license number"</label>
                <input id="admin-doctor-search" type="search" name="q" maxlength="100" value=search prop:value=search />
            </div>
            <div class="field">
                <label for="admin-doctor-status">"Status"</label>
                <select id="admin-doctor-status" name="status">
                    <option value="" selected=move || status().is_empty()>"All"</option>
                    {DoctorStatus::ALL.into_iter().map(|choice| {
                        let value = choice.as_str();
                        view! { <option value=value selected=move || status() == value>{choice.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="filters-actions">
                <button type="submit" class="btn btn-secondary">"Search"</button>
            </div>
        </Form>
        <Suspense fallback=|| view! { <Loading label="Loading doctors…" /> }>
            {move || Suspend::new(async move {
                let page = doctors.await?;
                let filters = params.read().filter_query();
                Ok::<_, AppError>(view! {
                    <ListTable page noun=("doctor", "doctors") path="/admin/doctors" filters
                        columns=&[("Doctor", false), ("Specialty", false), ("License", false), ("Fee", true), ("Status", false)]
                        pager_label="Doctor pages"
                        row=|doctor: DoctorRecord| view! { <DoctorLine doctor /> } />
                })
            })}
        </Suspense>
    }
}

#[component]
fn DoctorLine(doctor: DoctorRecord) -> impl IntoView {
    let status = DoctorStatus::of(doctor.is_active, doctor.password_set);
    let badge = match status {
        DoctorStatus::Inactive => "badge badge-muted",
        DoctorStatus::Invited => "badge badge-warning",
        DoctorStatus::Active => "badge badge-success",
    };
    view! {
        <tr>
            <td>
                <a href=format!("/admin/doctors/{}", doctor.id)>{doctor.display_name()}</a>
                <div class="muted small">{doctor.email.clone()}</div>
            </td>
            <td>{doctor.specialty.clone()}</td>
            <td>{doctor.license_number.clone()}</td>
            <td class="numeric">{Money::from_decimal(doctor.consultation_fee).to_string()}</td>
            <td>
                <span class=badge>{status.label()}</span>
                <div class="small">
                    <a href=format!("/admin/appointments?doctor={}", encode_query(&doctor.license_number))>"Appointments"</a>
                </div>
            </td>
        </tr>
    }
}
