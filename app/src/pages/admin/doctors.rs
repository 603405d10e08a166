//! The admin's list of doctors, active or not, with a search.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use super::AdminNav;
use crate::api::admin::list_doctor_records;
use crate::components::feedback::Loading;
use crate::components::guards::SignedIn;
use crate::domain::{AppError, DoctorRecord, Money, UserRole};

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
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let doctors = Resource::new(search, list_doctor_records);
    view! {
        <Form method="GET" action="/admin/doctors" attr:class="filters" attr:role="search">
            <div class="field field-wide">
                <label for="admin-doctor-search">"Name, email or license number"</label>
                <input id="admin-doctor-search" type="search" name="q" maxlength="100" prop:value=search />
            </div>
            <div class="filters-actions">
                <button type="submit" class="btn btn-secondary">"Search"</button>
            </div>
        </Form>
        <Suspense fallback=|| view! { <Loading label="Loading doctors…" /> }>
            {move || Suspend::new(async move {
                let doctors = doctors.await?;
                Ok::<_, AppError>(if doctors.is_empty() {
                    view! { <div class="panel empty"><p>"No doctors match."</p></div> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll">
                            <table class="data-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Doctor"</th>
                                        <th scope="col">"Specialty"</th>
                                        <th scope="col">"License"</th>
                                        <th scope="col" class="numeric">"Fee"</th>
                                        <th scope="col">"Status"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {doctors.into_iter().map(|doctor| view! { <DoctorLine doctor /> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                })
            })}
        </Suspense>
    }
}

#[component]
fn DoctorLine(doctor: DoctorRecord) -> impl IntoView {
    let status = match (doctor.is_active, doctor.password_set) {
        (false, _) => ("badge badge-muted", "Inactive"),
        (true, false) => ("badge badge-warning", "Invitation sent"),
        (true, true) => ("badge badge-success", "Active"),
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
            <td><span class=status.0>{status.1}</span></td>
        </tr>
    }
}
