//! The server's side of `app::services::shared_state`: with Redis, every committed change
//! reaches it before its answer goes out. The shared pages' generations move
//! (`page_cache::shared`), and an erased account's sessions end (`sessions`).
//!
//! It sits apart from `redis`, which is only the connection, so that the connection knows
//! nothing of the pages and sessions that use it.

use std::sync::Arc;

use app::services::changed_pages::Heard;
use app::services::shared_state::{Pending, SharedState};

use crate::redis::Redis;

/// What http.rs installs for the process when Redis is configured.
pub struct ThroughRedis {
    pub redis: Arc<Redis>,
}

impl SharedState for ThroughRedis {
    fn pages_changed<'a>(&'a self, heard: &'a [Heard]) -> Pending<'a> {
        Box::pin(crate::page_cache::shared::move_generations(
            &self.redis,
            heard,
        ))
    }

    fn sessions_ended(&self, user_id: i64) -> Pending<'_> {
        Box::pin(crate::sessions::end_all_in_redis(&self.redis, user_id))
    }
}
