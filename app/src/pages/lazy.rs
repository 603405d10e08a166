//! The pages the browser downloads only when it needs them.
//!
//! A visitor's first page (home, the directory, a doctor's page) hydrates with the main bundle
//! alone. Every other page is split out of it (cargo-leptos `--split`) with the pages of its
//! audience: the account pages, the patient's, the doctor's and the admin's are one chunk each,
//! fetched before such a page hydrates or when a link first leads to one, after which the rest
//! of that audience's pages need nothing more. (One chunk per page made some 400 files, fetched
//! forty at a time, and a release build spent minutes optimising them one by one.)
//!
//! Each route is a [`LazyRoute`] whose data half is empty: the page component creates its
//! resources itself, in the same order on the server and in the browser, which hydration relies
//! on.

use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::pages::{account, admin, doctor, patient};

/// `audience! { loader(Choice), __preload_loader { Route => page::Component, ... } }`: one lazily
/// loaded function that renders any page of the audience, and a lazy route for each page that
/// calls it. (`#[lazy]` names the loader's preload `__preload_<loader>` in the browser build.)
macro_rules! audience {
    ($loader:ident($choice:ident), $preload:ident { $($route:ident => $page:path),* $(,)? }) => {
        /// Which page of the audience to render. (`u8`: the choice crosses the boundary of the
        /// split-out module as a plain number.)
        #[derive(Debug, Clone, Copy)]
        #[repr(u8)]
        // Named after the routes, which all end in `Route`.
        #[allow(clippy::enum_variant_names)]
        enum $choice {
            $($route),*
        }

        /// Renders one page of the audience; its code is the audience's chunk.
        #[leptos::lazy]
        fn $loader(choice: $choice) -> AnyView {
            match choice {
                $($choice::$route => $page().into_any()),*
            }
        }

        $(
            #[doc = concat!("The route of `", stringify!($page), "`.")]
            #[derive(Debug)]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_this: Self) -> AnyView {
                    $loader($choice::$route).await
                }

                // The router awaits this before it renders the route, in hydration too: the page
                // must render at once, as the server did, not wait for its chunk and show
                // nothing (hydration would find other HTML than it renders, and panic).
                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }
        )*
    };
}

audience! {
    account_pages(AccountPage), __preload_account_pages {
        RegisterRoute => account::RegisterPage,
        SignInRoute => account::SignInPage,
        VerifyEmailRoute => account::VerifyEmailPage,
        ForgotPasswordRoute => account::ForgotPasswordPage,
        ResetPasswordRoute => account::ResetPasswordPage,
        ProfileRoute => account::ProfilePage,
        AccountDeletedRoute => account::AccountDeletedPage,
    }
}

audience! {
    patient_pages(PatientPage), __preload_patient_pages {
        PatientHomeRoute => patient::PatientHomePage,
        PatientReviewsRoute => patient::PatientReviewsPage,
        BookRoute => patient::BookPage,
        MyAppointmentsRoute => patient::MyAppointmentsPage,
        AppointmentRoute => patient::AppointmentPage,
        RescheduleRoute => patient::ReschedulePage,
        WalletRoute => patient::WalletPage,
    }
}

audience! {
    doctor_pages(DoctorPage), __preload_doctor_pages {
        DoctorHomeRoute => doctor::DoctorHomePage,
        PracticeRoute => doctor::PracticePage,
        DoctorSlotsRoute => doctor::DoctorSlotsPage,
        DoctorReviewsRoute => doctor::DoctorReviewsPage,
        DoctorAppointmentsRoute => doctor::DoctorAppointmentsPage,
    }
}

audience! {
    admin_pages(AdminPage), __preload_admin_pages {
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
}
