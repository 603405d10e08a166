//! The pages the browser downloads only when it needs them.
//!
//! A visitor's first page (home, the directory, a doctor's page) hydrates with the main bundle
//! alone; every other page's code is split out of it (cargo-leptos `--split`) into a chunk of
//! its own, fetched before that page hydrates or when a link first leads to it. Each route here
//! is a [`LazyRoute`] whose data half is empty: the page component creates its resources itself,
//! in the same order on the server and in the browser, which hydration relies on.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use crate::pages::{account, admin, doctor, patient};

/// `lazy_pages!(Route => page::Component, ...)`: a lazy route for each page component.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        #[doc = concat!("The page `", stringify!($page), "`, downloaded when it is first shown.")]
        #[derive(Debug)]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    RegisterRoute => account::RegisterPage,
    SignInRoute => account::SignInPage,
    VerifyEmailRoute => account::VerifyEmailPage,
    ForgotPasswordRoute => account::ForgotPasswordPage,
    ResetPasswordRoute => account::ResetPasswordPage,
    ProfileRoute => account::ProfilePage,
    AccountDeletedRoute => account::AccountDeletedPage,

    PatientHomeRoute => patient::PatientHomePage,
    PatientReviewsRoute => patient::PatientReviewsPage,
    BookRoute => patient::BookPage,
    MyAppointmentsRoute => patient::MyAppointmentsPage,
    AppointmentRoute => patient::AppointmentPage,
    RescheduleRoute => patient::ReschedulePage,
    WalletRoute => patient::WalletPage,

    DoctorHomeRoute => doctor::DoctorHomePage,
    PracticeRoute => doctor::PracticePage,
    DoctorSlotsRoute => doctor::DoctorSlotsPage,
    DoctorReviewsRoute => doctor::DoctorReviewsPage,
    DoctorAppointmentsRoute => doctor::DoctorAppointmentsPage,

    AdminHomeRoute => admin::AdminHomePage,
    AdminSpecialtiesRoute => admin::AdminSpecialtiesPage,
    AdminDoctorsRoute => admin::AdminDoctorsPage,
    AdminReviewsRoute => admin::AdminReviewsPage,
    AdminUsersRoute => admin::AdminUsersPage,
    AdminAuditRoute => admin::AdminAuditPage,
    AdminAppointmentsRoute => admin::AdminAppointmentsPage,
    AdminPaymentsRoute => admin::AdminPaymentsPage,
    AdminTransactionsRoute => admin::AdminTransactionsPage,
    NewDoctorRoute => admin::NewDoctorPage,
    EditDoctorRoute => admin::EditDoctorPage,
    AdminDoctorSlotsRoute => admin::AdminDoctorSlotsPage,
}
