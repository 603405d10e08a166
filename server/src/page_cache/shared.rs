//! The pages every instance shares through Redis, between an instance's own pages and
//! rendering.
//!
//! Redis keeps each page (`clinic:page:{key}`, for the cache's lifetime) with the generations
//! it was rendered under, and the generations themselves (`clinic:gen:*`). Every request reads
//! the two its page counts under, in one round trip; a change's announcement moves them on
//! before the change's answer goes out. So a page a change altered is never served again, from
//! Redis or from any instance's memory, once the person who made the change has been told.
//!
//! A stamp also carries how many times this instance has connected to Redis: Redis may have
//! restarted empty meanwhile and counted its generations from zero again, so nothing kept under
//! an earlier connection can match by chance. And when a change could not reach Redis (it was
//! away), the first request that finds it again forgets everything in it.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use app::services::changed_pages::Heard;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use fred::prelude::{Expiration, KeysInterface};

use super::Generation;
use crate::redis::Redis;

/// The generations in Redis a page was rendered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedStamp {
    connection: u64,
    everything: u64,
    scope: u64,
}

#[cfg(test)]
impl SharedStamp {
    pub(super) fn at(everything: u64, scope: u64) -> Self {
        Self {
            connection: 1,
            everything,
            scope,
        }
    }
}

/// A page found in Redis.
pub struct SharedPage {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// How long ago it was rendered.
    pub age: Duration,
}

pub struct SharedPages {
    redis: Arc<Redis>,
    ttl: Duration,
}

impl Generation {
    fn redis_key(self) -> String {
        match self {
            Self::Everything => "clinic:gen:everything".to_owned(),
            Self::Home => "clinic:gen:home".to_owned(),
            Self::Directory => "clinic:gen:directory".to_owned(),
            Self::DoctorGroup(group) => format!("clinic:gen:doctor:{group}"),
        }
    }
}

fn page_key(key: &str) -> String {
    format!("clinic:page:{key}")
}

impl SharedPages {
    pub fn new(redis: Arc<Redis>, ttl: Duration) -> Self {
        Self { redis, ttl }
    }

    /// The generations a page of `scope` counts under now, or `None` when Redis cannot say
    /// (the caller then goes by its own).
    pub(super) async fn stamp(&self, scope: Generation) -> Option<SharedStamp> {
        if !self.redis.up() {
            self.redis.failed("page generations", None);
            return None;
        }
        let connection = self.redis.connections();
        if self.redis.take_missed_change() && !moved(&self.redis, &[Heard::Everything]).await {
            return None;
        }
        let keys = vec![Generation::Everything.redis_key(), scope.redis_key()];
        match self.redis.client().mget::<Vec<Option<u64>>, _>(keys).await {
            Ok(values) => Some(SharedStamp {
                connection,
                everything: values.first().copied().flatten().unwrap_or(0),
                scope: values.get(1).copied().flatten().unwrap_or(0),
            }),
            Err(err) => {
                self.redis.failed("page generations", Some(&err));
                None
            }
        }
    }

    /// The page kept as `key` when it was rendered under `now`'s generations.
    pub(super) async fn get(&self, key: &str, now: SharedStamp) -> Option<SharedPage> {
        let kept = match self
            .redis
            .client()
            .get::<Option<Bytes>, _>(page_key(key))
            .await
        {
            Ok(kept) => kept?,
            Err(err) => {
                self.redis.failed("page read", Some(&err));
                return None;
            }
        };
        let (under, page) = decode(&kept)?;
        (under == (now.everything, now.scope)).then_some(page)
    }

    /// Keeps `key`'s page, rendered under `under`, for the others (in the background: the
    /// page's answer does not wait for it).
    pub(super) fn put(&self, key: String, under: SharedStamp, headers: &HeaderMap, body: Bytes) {
        if under.connection != self.redis.connections() {
            return;
        }
        let value = encode((under.everything, under.scope), headers, &body);
        let redis = Arc::clone(&self.redis);
        let ttl = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        tokio::spawn(async move {
            let stored: Result<(), _> = redis
                .client()
                .set(
                    page_key(&key),
                    value,
                    Some(Expiration::PX(ttl)),
                    None,
                    false,
                )
                .await;
            if let Err(err) = stored {
                redis.failed("page write", Some(&err));
            }
        });
    }
}

/// Moves on, in Redis, the generations `heard` alters: the announcement of a committed change,
/// before its answer goes out. Marks the change missed when Redis does not take it.
pub async fn move_generations(redis: &Redis, heard: &[Heard]) {
    moved(redis, heard).await;
}

/// Whether Redis took the move.
async fn moved(redis: &Redis, heard: &[Heard]) -> bool {
    if !redis.up() {
        redis.mark_missed_change();
        redis.failed("page change", None);
        return false;
    }
    let mut keys: Vec<String> = heard
        .iter()
        .flat_map(|heard| Generation::moved_by(*heard))
        .map(Generation::redis_key)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let pipeline = redis.client().pipeline();
    let incremented = async {
        for key in &keys {
            let _: () = pipeline.incr(key).await?;
        }
        pipeline.all::<Vec<u64>>().await
    };
    match incremented.await {
        Ok(_) => true,
        Err(err) => {
            redis.mark_missed_change();
            redis.failed("page change", Some(&err));
            false
        }
    }
}

/// `[stored at, ms since 1970: u64][everything: u64][scope: u64][headers: u16 count, then each
/// name and value with a u16 length][body]`, big-endian.
fn encode(under: (u64, u64), headers: &HeaderMap, body: &[u8]) -> Vec<u8> {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    let mut out = Vec::with_capacity(body.len() + 64 * headers.len() + 32);
    out.extend_from_slice(&now_ms.to_be_bytes());
    out.extend_from_slice(&under.0.to_be_bytes());
    out.extend_from_slice(&under.1.to_be_bytes());
    let kept: Vec<_> = headers
        .iter()
        .filter(|(name, value)| name.as_str().len() <= 0xffff && value.len() <= 0xffff)
        .collect();
    out.extend_from_slice(&(kept.len().min(0xffff) as u16).to_be_bytes());
    for (name, value) in kept.into_iter().take(0xffff) {
        out.extend_from_slice(&(name.as_str().len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    out.extend_from_slice(body);
    out
}

/// Reads what [`encode`] wrote; `None` for anything else (another version's format).
fn decode(bytes: &Bytes) -> Option<((u64, u64), SharedPage)> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let part = bytes.get(at..at.checked_add(n)?)?;
        at += n;
        Some(part)
    };
    let u64_at = |part: &[u8]| part.try_into().ok().map(u64::from_be_bytes);
    let u16_at = |part: &[u8]| part.try_into().ok().map(u16::from_be_bytes);
    let stored_ms = u64_at(take(8)?)?;
    let everything = u64_at(take(8)?)?;
    let scope = u64_at(take(8)?)?;
    let count = u16_at(take(2)?)?;
    let mut headers = HeaderMap::with_capacity(usize::from(count));
    for _ in 0..count {
        let len = usize::from(u16_at(take(2)?)?);
        let name = HeaderName::from_bytes(take(len)?).ok()?;
        let len = usize::from(u16_at(take(2)?)?);
        let value = HeaderValue::from_bytes(take(len)?).ok()?;
        headers.append(name, value);
    }
    let body = bytes.slice(at..);
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    let age = Duration::from_millis(now_ms.saturating_sub(stored_ms));
    Some(((everything, scope), SharedPage { headers, body, age }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_reads_back_whole() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("text/html"));
        headers.append("set-thing", HeaderValue::from_static("a"));
        headers.append("set-thing", HeaderValue::from_static("b"));
        let bytes = Bytes::from(encode((7, 9), &headers, b"<html>page</html>"));
        let (under, page) = decode(&bytes).expect("decodes");
        assert_eq!(under, (7, 9));
        assert_eq!(page.headers, headers);
        assert_eq!(&page.body[..], b"<html>page</html>");
        assert!(page.age < Duration::from_secs(5));
        // Anything cut short, or not ours, is nothing.
        assert!(decode(&bytes.slice(..20)).is_none());
        assert!(decode(&Bytes::from_static(b"junk")).is_none());
    }
}
