//! What the server keeps outside PostgreSQL that a committed change must reach before its
//! answer goes out: the pages and sessions all instances share through Redis when `REDIS_URL`
//! is set (the server's `redis` module installs itself here at start-up).
//!
//! Services take a pool and nothing else, and Redis is optional and the server's business, so
//! the server installs one [`SharedState`] for the process, the way a logger is installed. One
//! process serves one deployment; nothing is installed without Redis, and then a change goes
//! to PostgreSQL's listeners alone (`page_changes`).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use super::changed_pages::Heard;

/// A future the shared state's calls return (the trait is used as `dyn`).
pub type Pending<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// The state beyond PostgreSQL. Neither call may fail its caller: the change itself has
/// committed, and the shared state's own lifetimes bound what a lost call can leave behind.
pub trait SharedState: Send + Sync {
    /// The public pages these committed changes altered are stale everywhere from now on.
    fn pages_changed<'a>(&'a self, heard: &'a [Heard]) -> Pending<'a>;
    /// Every session signed in as `user_id` is to end (the account was erased).
    fn sessions_ended(&self, user_id: i64) -> Pending<'_>;
}

static INSTALLED: OnceLock<Arc<dyn SharedState>> = OnceLock::new();

/// Makes `state` the one every committed change reaches. The first installed stays (tests
/// that build several instances in one process share one Redis).
pub fn install(state: Arc<dyn SharedState>) {
    let _ = INSTALLED.set(state);
}

pub(crate) async fn pages_changed(heard: &[Heard]) {
    if let Some(state) = INSTALLED.get()
        && !heard.is_empty()
    {
        state.pages_changed(heard).await;
    }
}

pub(crate) async fn sessions_ended(user_id: i64) {
    if let Some(state) = INSTALLED.get() {
        state.sessions_ended(user_id).await;
    }
}
