//! The outcome of a plain form post, shown once at the top of the page it led to (see
//! `api::notice`). With the bundle a page shows its outcomes beside its forms, and this stays
//! empty.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Puts the page's notice into context: call once, at the top of the app.
pub fn provide_notice() {
    let notice = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            crate::api::notice::page_notice()
        }
        #[cfg(not(feature = "ssr"))]
        {
            None
        }
    })
    .into_inner();
    provide_context(Notice(RwSignal::new(notice)));
}

#[derive(Clone, Copy)]
struct Notice(RwSignal<Option<String>>);

/// The notice, until the person moves on to another page.
#[component]
pub fn PageNotice() -> impl IntoView {
    let Notice(notice) = expect_context::<Notice>();
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|previous| previous != path) {
            notice.set(None);
        }
        path
    });
    move || {
        notice.get().map(|text| {
            view! {
                <div class="container">
                    <p class="alert alert-success page-notice" role="status">{text}</p>
                </div>
            }
        })
    }
}
