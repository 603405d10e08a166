//! Redis, when `REDIS_URL` is set: the connection behind the sessions (`crate::sessions`) and
//! the public pages (`page_cache::shared`) that every instance shares. Never required: while it
//! is away each instance serves from PostgreSQL and its own cache, counts what Redis could not
//! answer (`clinic_redis_failures_total`), logs when it goes and comes back, and a signed-in
//! person signs in again at worst. Nothing here can fail a request.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use fred::prelude::{
    Builder, Client, ClientLike, ClientState, Config as RedisConfig, EventInterface,
    ReconnectPolicy,
};

/// How long one command may take before the caller goes on without it. Redis answers in well
/// under a millisecond; a command this slow means it is away or overloaded.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(250);
/// How long connecting may take, and how often a lost connection is tried again.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const RECONNECT_EVERY_MS: u32 = 500;

/// Refuses a `REDIS_URL` that is not a Redis address (`serve` checks before it starts).
pub fn check_url(url: &str) -> anyhow::Result<()> {
    RedisConfig::from_url(url).map(|_| ()).map_err(|err| {
        anyhow::anyhow!(
            "REDIS_URL is not a Redis address ({err}): use redis://[:password@]host:port[/db]"
        )
    })
}

/// One Redis connection for the process (commands are pipelined on it), and what this instance
/// knows of its health.
pub struct Redis {
    client: Client,
    /// A change may have gone unrecorded in Redis (it was away when one committed): before
    /// the shared pages are trusted again, everything in them is forgotten.
    missed_change: AtomicBool,
    /// How many times the connection was made: a stamp of the shared pages names the
    /// connection it was read on (`page_cache::shared`).
    connections: AtomicU64,
    /// Commands that failed or were skipped since Redis was last seen, for the log line that
    /// says it is back.
    failures_while_away: AtomicU64,
}

impl Redis {
    /// Connects in the background to `url` (`redis://[:password@]host:port[/db]`): the server
    /// starts whether or not Redis answers yet, and connects again whenever it loses it.
    pub fn connect(url: &str) -> anyhow::Result<Arc<Self>> {
        let config = RedisConfig::from_url(url)
            .map_err(|err| anyhow::anyhow!("REDIS_URL is not a Redis address: {err}"))?;
        let client = Builder::from_config(config)
            .with_config(|config| config.fail_fast = false)
            .with_connection_config(|connection| {
                connection.connection_timeout = CONNECT_TIMEOUT;
                connection.internal_command_timeout = CONNECT_TIMEOUT;
                // A command is never sent twice: the caller has gone on without its answer.
                connection.max_command_attempts = 1;
            })
            .with_performance_config(|performance| {
                performance.default_command_timeout = COMMAND_TIMEOUT;
            })
            .set_policy(ReconnectPolicy::new_constant(0, RECONNECT_EVERY_MS))
            .build()
            .map_err(|err| anyhow::anyhow!("cannot use REDIS_URL: {err}"))?;
        let redis = Arc::new(Self {
            client,
            missed_change: AtomicBool::new(false),
            connections: AtomicU64::new(0),
            failures_while_away: AtomicU64::new(0),
        });
        redis.watch();
        redis.client.connect();
        Ok(redis)
    }

    /// Logs each loss and return of the connection, and forgets the shared pages on each
    /// return (changes may have committed meanwhile).
    fn watch(self: &Arc<Self>) {
        let redis = Arc::clone(self);
        self.client.on_error(move |(err, _)| {
            let redis = Arc::clone(&redis);
            async move {
                redis.missed_change.store(true, Ordering::SeqCst);
                tracing::warn!(%err, "Redis is away: sessions and pages are served from PostgreSQL meanwhile");
                Ok(())
            }
        });
        let redis = Arc::clone(self);
        self.client.on_reconnect(move |_| {
            let redis = Arc::clone(&redis);
            async move {
                // Whatever changed while it was away never reached it.
                redis.missed_change.store(true, Ordering::SeqCst);
                redis.connections.fetch_add(1, Ordering::SeqCst);
                let skipped = redis.failures_while_away.swap(0, Ordering::SeqCst);
                tracing::info!(skipped, "Redis answers again");
                metrics::gauge!("clinic_redis_up").set(1.0);
                Ok(())
            }
        });
    }

    /// Whether Redis is connected now. While it is not, callers skip it at once rather than
    /// wait for a command to time out.
    pub fn up(&self) -> bool {
        let up = self.client.state() == ClientState::Connected;
        metrics::gauge!("clinic_redis_up").set(if up { 1.0 } else { 0.0 });
        up
    }

    /// How many times this instance has connected to Redis.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }

    /// The client, for a caller that checked [`Redis::up`].
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// An operation Redis could not do (it was away, or failed): counted, and logged at debug
    /// (the loss of the connection itself is logged once, as a warning).
    pub fn failed(&self, operation: &'static str, err: Option<&dyn std::fmt::Display>) {
        metrics::counter!("clinic_redis_failures_total", "operation" => operation).increment(1);
        self.failures_while_away.fetch_add(1, Ordering::Relaxed);
        match err {
            Some(err) => {
                tracing::debug!(err = %err, operation, "Redis failed; going on without it")
            }
            None => tracing::debug!(operation, "Redis is away; going on without it"),
        }
    }

    /// Whether a change may be missing from Redis, clearing the mark: the caller forgets the
    /// shared pages (and marks it again if that fails).
    pub fn take_missed_change(&self) -> bool {
        self.missed_change.swap(false, Ordering::SeqCst)
    }

    pub fn mark_missed_change(&self) {
        self.missed_change.store(true, Ordering::SeqCst);
    }

    /// Closes the connection (the server is stopping).
    pub async fn quit(&self) {
        let _ = self.client.quit().await;
    }
}
