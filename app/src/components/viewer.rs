//! Who is looking at the page: the signed-in person, or nobody.
//!
//! The server knows before it renders (its page layer looks the session up, see
//! `api::caller::page_viewer`), so the header and the sign-in gates render whole on the server,
//! with no placeholder that only the bundle could replace: a page works without JavaScript and
//! while the bundle is still loading. The value travels to the browser with the page
//! ([`SharedValue`]), so hydration starts from the same person the server rendered for, in
//! the same order on both sides; nothing about it waits on a resource.
//!
//! In the browser the value can go stale: signing in or out, or a session ending on the
//! server. [`Viewer::refresh`] asks the server again; the header does after every navigation,
//! and a gate does before it sends someone to sign in.

use leptos::prelude::*;

use crate::api::accounts::get_current_user;
use crate::domain::SessionUser;

/// The signed-in person as the page knows them. Cheap to copy; one per page, in context.
#[derive(Clone, Copy)]
pub struct Viewer {
    user: RwSignal<Option<SessionUser>>,
    /// Counts refreshes, so an answer to an older question never overwrites a newer one.
    asked: StoredValue<u64>,
}

/// Puts the [`Viewer`] into context: call once, at the top of the app.
pub fn provide_viewer() {
    let first = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            crate::api::caller::page_viewer()
        }
        #[cfg(not(feature = "ssr"))]
        {
            None
        }
    })
    .into_inner();
    provide_context(Viewer {
        user: RwSignal::new(first),
        asked: StoredValue::new(0),
    });
}

/// The page's [`Viewer`].
pub fn use_viewer() -> Viewer {
    expect_context::<Viewer>()
}

impl Viewer {
    /// The signed-in person, or `None` for a visitor (tracked).
    pub fn user(&self) -> Option<SessionUser> {
        self.user.get()
    }

    /// Replaces what the page knows, when it changed (an equal value wakes nobody, so a
    /// page is not rebuilt by a refresh that found nothing new).
    pub fn set(&self, user: Option<SessionUser>) {
        if self.user.with_untracked(|known| *known != user) {
            self.user.set(user);
        }
    }

    /// Asks the server who is signed in and keeps the answer; `None` when it could not tell
    /// (the network), in which case what the page knew stays.
    pub async fn refresh(self) -> Option<Option<SessionUser>> {
        let question = self.asked.get_value() + 1;
        self.asked.set_value(question);
        let answer = get_current_user().await.ok()?;
        if self.asked.get_value() == question {
            self.set(answer.clone());
        }
        Some(answer)
    }
}
