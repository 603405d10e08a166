//! The session store: PostgreSQL (`tower-sessions-sqlx-store`), or, when `REDIS_URL` is set,
//! Redis (`tower-sessions-redis-store`) with PostgreSQL behind it. A session is then made in
//! PostgreSQL while Redis is away, found there afterwards and moved into Redis on its
//! next request. A session Redis lost (it restarted empty) is simply gone: its person signs in
//! again, which is the worst a Redis outage does to anyone.
//!
//! Redis keeps, beside each signed-in session, the set of one account's sessions
//! (`clinic:sessions-of:{user id}`), so that erasing the account ends them all without reading
//! every session (PostgreSQL's are found by their bytes, in `app::services::erasure`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use fred::prelude::{Client, Expiration, KeysInterface, SetOptions, SetsInterface};
use fred::types::ExpireOptions;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions_redis_store::RedisStore;
use tower_sessions_sqlx_store::PostgresStore;

use crate::redis::Redis;

#[derive(Clone)]
pub struct Sessions {
    redis: Option<InRedis>,
    fallback: PostgresStore,
}

#[derive(Clone)]
struct InRedis {
    redis: Arc<Redis>,
    store: RedisStore<Client>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.redis {
            Some(_) => "Sessions(Redis, then PostgreSQL)",
            None => "Sessions(PostgreSQL)",
        })
    }
}

impl Sessions {
    /// Sessions in PostgreSQL, or in `redis` first when given.
    pub fn new(fallback: PostgresStore, redis: Option<Arc<Redis>>) -> Self {
        Self {
            redis: redis.map(|redis| InRedis {
                store: RedisStore::new(redis.client().clone()),
                redis,
            }),
            fallback,
        }
    }

    /// Redis when it is configured and connected; when it is configured but away, the skip
    /// is counted.
    fn redis_now(&self, operation: &'static str) -> Option<&InRedis> {
        let in_redis = self.redis.as_ref()?;
        if in_redis.redis.up() {
            Some(in_redis)
        } else {
            in_redis.redis.failed(operation, None);
            None
        }
    }
}

impl InRedis {
    /// Files a signed-in session under its account, for as long as the session may live.
    async fn index(&self, record: &Record) {
        let Some(user_id) = record
            .data
            .get(app::services::accounts::SESSION_USER_KEY)
            .and_then(serde_json::Value::as_i64)
        else {
            return;
        };
        let key = sessions_of(user_id);
        let until = record.expiry_date.unix_timestamp();
        let pipeline = self.redis.client().pipeline();
        let queued = async {
            let _: () = pipeline.sadd(&key, record.id.to_string()).await?;
            // The set lives as long as its longest-lived session: NX gives a new set its
            // first expiry, GT only ever moves it later.
            let _: () = pipeline
                .expire_at(&key, until, Some(ExpireOptions::NX))
                .await?;
            let _: () = pipeline
                .expire_at(&key, until, Some(ExpireOptions::GT))
                .await?;
            pipeline.all::<()>().await
        };
        if let Err(err) = queued.await {
            self.redis.failed("session index", Some(&err));
        }
    }

    /// Moves a session found in PostgreSQL (made while Redis was away) into Redis, under the
    /// same id, so that its next changes are kept where it will be looked for.
    async fn move_in(&self, record: &Record, fallback: &PostgresStore) {
        let bytes = match rmp_serde::to_vec(record) {
            Ok(bytes) => bytes,
            Err(err) => return self.redis.failed("session move", Some(&err)),
        };
        let stored: std::result::Result<Option<String>, _> = self
            .redis
            .client()
            .set(
                record.id.to_string(),
                bytes.as_slice(),
                Some(Expiration::EXAT(record.expiry_date.unix_timestamp())),
                Some(SetOptions::NX),
                false,
            )
            .await;
        match stored {
            Ok(_) => {
                self.index(record).await;
                if let Err(err) = fallback.delete(&record.id).await {
                    tracing::debug!(%err, "a session moved into Redis stays in PostgreSQL too");
                }
            }
            Err(err) => self.redis.failed("session move", Some(&err)),
        }
    }
}

fn sessions_of(user_id: i64) -> String {
    format!("clinic:sessions-of:{user_id}")
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        if let Some(in_redis) = self.redis_now("session create") {
            match in_redis.store.create(record).await {
                Ok(()) => {
                    in_redis.index(record).await;
                    return Ok(());
                }
                Err(err) => in_redis.redis.failed("session create", Some(&err)),
            }
        }
        self.fallback.create(record).await
    }

    async fn save(&self, record: &Record) -> Result<()> {
        if let Some(in_redis) = self.redis_now("session save") {
            match in_redis.store.save(record).await {
                Ok(()) => {
                    in_redis.index(record).await;
                    return Ok(());
                }
                Err(err) => in_redis.redis.failed("session save", Some(&err)),
            }
        }
        self.fallback.save(record).await
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let in_redis = self.redis_now("session load");
        if let Some(in_redis) = in_redis {
            match in_redis.store.load(id).await {
                Ok(Some(record)) => return Ok(Some(record)),
                Ok(None) => {}
                // Unreadable (another version's format): as good as no session.
                Err(Error::Decode(_)) => return Ok(None),
                Err(err) => in_redis.redis.failed("session load", Some(&err)),
            }
        }
        let found = self.fallback.load(id).await?;
        if let (Some(in_redis), Some(record)) = (in_redis, &found) {
            in_redis.move_in(record, &self.fallback).await;
        }
        Ok(found)
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        if let Some(in_redis) = self.redis_now("session delete")
            && let Err(err) = in_redis.store.delete(id).await
        {
            in_redis.redis.failed("session delete", Some(&err));
        }
        self.fallback.delete(id).await
    }
}

/// Ends every session Redis holds for `user_id` (PostgreSQL's are deleted in the erasure's own
/// transaction). While Redis is away they stay until they expire, useless: the erased account
/// can no longer sign in and every request checks the account first.
pub async fn end_all_in_redis(redis: &Redis, user_id: i64) {
    if !redis.up() {
        tracing::warn!(
            user_id,
            "Redis is away: the erased account's sessions there end when they expire"
        );
        return redis.failed("end sessions", None);
    }
    let key = sessions_of(user_id);
    let ended = async {
        let ids: Vec<String> = redis.client().smembers(&key).await?;
        let mut keys = ids;
        keys.push(key.clone());
        redis.client().del::<(), _>(keys).await
    };
    if let Err(err) = ended.await {
        tracing::warn!(%err, user_id, "could not end the erased account's sessions in Redis");
        redis.failed("end sessions", Some(&err));
    }
}
