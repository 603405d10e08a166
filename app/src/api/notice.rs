//! What a plain form post's answer tells the person on the page it leads to.
//!
//! Without the bundle (JavaScript off, still loading, or a page whose hydration failed) a form
//! posts the old-fashioned way: the server function runs and the browser is sent back to the
//! page (or to where the function redirects). The outcome the hydrated page would show beside
//! the form ("Added $25.00…", "Cancelled. $80.00 is back in your wallet.") would be lost, so
//! the function leaves it in the session, and the next page shows it once at the top (see
//! `components::notice`). With the bundle nothing is kept: the page shows the outcome itself.
//! Errors need none of this: Leptos puts them into the address it redirects to, and the form
//! shows them beside their fields.

use http::header::ACCEPT;
use tower_sessions::Session;

use crate::domain::AppError;

const NOTICE: &str = "notice";

/// The notice the page layer took from the session for the page being rendered.
#[derive(Debug, Clone)]
pub struct PageNotice(pub Option<String>);

/// Whether this request is a plain HTML form post: browsers ask for HTML then, and the
/// bundle's calls ask for JSON.
pub(crate) fn is_plain_form() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Keeps `message` for the next page, when this request is a plain form post. Called after
/// the change has been made, so it never fails the request: a notice that could not be kept
/// is logged, and the page still shows the change itself (the status, the balance).
pub(crate) async fn tell(message: String) {
    if !is_plain_form() {
        return;
    }
    let kept = match super::caller::session::current() {
        Ok(session) => session
            .insert(NOTICE, message)
            .await
            .map_err(AppError::internal),
        Err(err) => Err(err),
    };
    if let Err(err) = kept {
        tracing::warn!(%err, "could not keep the notice for the next page");
    }
}

/// Takes the kept notice out of `session` (the page layer, before a page renders): it is
/// shown once. Every page asks, so it only reads unless there is one: removing marks the
/// session changed, and a changed session is written back to the database.
pub async fn take(session: &Session) -> Option<String> {
    let notice = session.get::<String>(NOTICE).await.ok().flatten()?;
    if let Err(err) = session.remove::<String>(NOTICE).await {
        tracing::warn!(%err, "could not forget the notice it has shown");
    }
    Some(notice)
}

/// The notice for the page being rendered.
pub fn page_notice() -> Option<String> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNotice>().cloned())
        .and_then(|notice| notice.0)
}
