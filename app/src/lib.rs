//! The Clinic application: the shell, the route table, and the features it is built from.
//!
//! Compiled twice: with `ssr` inside the server (rendering, server functions, services) and with
//! `hydrate` into the browser bundle. Arrows point one way: pages → components → api → domain,
//! and api → services → domain on the server only.

pub mod api;
pub mod components;
pub mod domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod services;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::components::layout::{SiteFooter, SiteHeader};
use crate::pages::{
    NotFound,
    lazy::*,
    public::{DoctorPage, DoctorsPage, HomePage},
};

/// The name the browser bundle and stylesheet are published under (`/pkg/clinic.*`); it must
/// match `name` in the workspace's `[[workspace.metadata.leptos]]`.
pub const OUTPUT_NAME: &str = "clinic";

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Find a doctor, book a visit and pay in one place." />
                <meta name="theme-color" content="#0f766e" />
                // An inline icon: no extra request, and no 404 in the console.
                <link
                    rel="icon"
                    href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%230f766e'/%3E%3Cpath d='M13 7h6v6h6v6h-6v6h-6v-6H7v-6h6z' fill='white'/%3E%3C/svg%3E"
                />
                <HashedStylesheet id="clinic" options=options.clone() />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: layout and the whole route table, grouped by audience.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::components::viewer::provide_viewer();
    crate::components::notice::provide_notice();

    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Clinic".to_owned() } else { format!("{page} · Clinic") }
        } />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader />
            <main id="main" class="site-main">
                <crate::components::notice::PageNotice />
                <ErrorBoundary fallback=|errors| {
                    view! { <crate::components::feedback::ErrorPanel errors /> }
                }>
                    <Routes fallback=NotFound>
                        // Public. Pages with data stream in order (SsrMode::InOrder): each part
                        // arrives in place, so the page is whole without the bundle. Out of order
                        // (Leptos's default), the data would come as templates that only script
                        // moves into place, and without JavaScript a page of placeholders.
                        <Route path=StaticSegment("") view=HomePage ssr=SsrMode::InOrder />
                        <Route path=StaticSegment("doctors") view=DoctorsPage ssr=SsrMode::InOrder />
                        <Route path=(StaticSegment("doctors"), ParamSegment("id")) view=DoctorPage ssr=SsrMode::Async />
                        // Accounts
                        <Route path=StaticSegment("register") view={Lazy::<RegisterRoute>::new()} />
                        <Route path=StaticSegment("sign-in") view={Lazy::<SignInRoute>::new()} />
                        // Pages behind sign-in render whole (SsrMode::Async), so a visitor gets a
                        // real redirect to sign in, even without JavaScript.
                        <Route path=StaticSegment("verify-email") view={Lazy::<VerifyEmailRoute>::new()} ssr=SsrMode::Async />
                        <Route path=StaticSegment("forgot-password") view={Lazy::<ForgotPasswordRoute>::new()} />
                        <Route path=StaticSegment("reset-password") view={Lazy::<ResetPasswordRoute>::new()} />
                        <Route path=StaticSegment("profile") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async />
                        <Route path=StaticSegment("account-deleted") view={Lazy::<AccountDeletedRoute>::new()} />
                        // Patients
                        <Route path=StaticSegment("reviews") view={Lazy::<PatientReviewsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=StaticSegment("patient") view={Lazy::<PatientHomeRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("book"), ParamSegment("slot")) view={Lazy::<BookRoute>::new()} ssr=SsrMode::Async />
                        <Route path=StaticSegment("appointments") view={Lazy::<MyAppointmentsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("appointments"), ParamSegment("id")) view={Lazy::<AppointmentRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("appointments"), ParamSegment("id"), StaticSegment("reschedule")) view={Lazy::<RescheduleRoute>::new()} ssr=SsrMode::Async />
                        <Route path=StaticSegment("wallet") view={Lazy::<WalletRoute>::new()} ssr=SsrMode::Async />
                        // Doctors
                        <Route path=StaticSegment("doctor") view={Lazy::<DoctorHomeRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("doctor"), StaticSegment("practice")) view={Lazy::<PracticeRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("doctor"), StaticSegment("slots")) view={Lazy::<DoctorSlotsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("doctor"), StaticSegment("reviews")) view={Lazy::<DoctorReviewsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("doctor"), StaticSegment("appointments")) view={Lazy::<DoctorAppointmentsRoute>::new()} ssr=SsrMode::Async />
                        // Admins
                        <Route path=StaticSegment("admin") view={Lazy::<AdminHomeRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("specialties")) view={Lazy::<AdminSpecialtiesRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("doctors")) view={Lazy::<AdminDoctorsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("reviews")) view={Lazy::<AdminReviewsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("users")) view={Lazy::<AdminUsersRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("audit")) view={Lazy::<AdminAuditRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("appointments")) view={Lazy::<AdminAppointmentsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("payments")) view={Lazy::<AdminPaymentsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("transactions")) view={Lazy::<AdminTransactionsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("doctors"), StaticSegment("new")) view={Lazy::<NewDoctorRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("doctors"), ParamSegment("id")) view={Lazy::<EditDoctorRoute>::new()} ssr=SsrMode::Async />
                        <Route path=(StaticSegment("admin"), StaticSegment("doctors"), ParamSegment("id"), StaticSegment("slots")) view={Lazy::<AdminDoctorSlotsRoute>::new()} ssr=SsrMode::Async />
                    </Routes>
                </ErrorBoundary>
            </main>
            <SiteFooter />
        </Router>
    }
}
