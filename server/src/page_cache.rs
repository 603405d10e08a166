//! A moment's cache of the public pages visitors read most (the home page, the directory and
//! the doctors' pages), for visitors who are not signed in.
//!
//! Rendering a page on the server costs about a millisecond of CPU however fast its queries are,
//! and the busiest pages are the same for every visitor. So the rendered page of a URL is kept
//! for `CLINIC_PAGE_CACHE_MS` (1 s by default; 0 turns the cache off) and served again as is.
//!
//! What a cached page may miss: a change made through another server instance, for at most that
//! long. Changes made through this instance (any request that is not a GET) empty the cache at
//! once, and a render that was under way during such a change is not kept. Bookings are never
//! affected: a visitor who books a time that went meanwhile gets "this slot was just taken"
//! with the nearest free times, as with any race.
//!
//! When a page has expired, the first request renders it again while the others are still
//! answered with the expired copy (for as long as that render takes, at most a few seconds), so
//! a busy page is never rendered by every waiting request at once.
//!
//! Only anonymous GETs are cached, only complete 200 answers without a cookie, and a signed-in
//! visitor (who sees their name in the header) always gets a fresh render.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The most pages kept at once (each is a few tens of kilobytes).
const MAX_ENTRIES: usize = 2_048;
/// The largest page read into the cache (pages are far smaller; this only bounds memory).
const MAX_PAGE_BYTES: usize = 8 << 20;
/// How long other requests get the expired copy while one renders the page again; a render
/// taking longer is presumed lost and the next request tries.
const REFRESH_PATIENCE: Duration = Duration::from_secs(5);
/// Says whether an answer came from the cache (`hit`), from it while the page is being
/// rendered again (`stale`), or was rendered and kept (`miss`).
pub const CACHE_HEADER: &str = "x-page-cache";

struct Entry {
    stored: Instant,
    generation: u64,
    headers: HeaderMap,
    body: Bytes,
    /// Set while one request renders the expired page again.
    refreshing_since: Option<Instant>,
}

/// What the cache has for a URL.
enum Lookup {
    Fresh(HeaderMap, Bytes),
    /// Expired, and another request is rendering it again.
    Stale(HeaderMap, Bytes),
    /// Nothing usable: this request renders the page.
    Miss,
}

pub struct PageCache {
    ttl: Duration,
    /// Moves on with every change made through this instance; pages rendered before it are
    /// not served again.
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

impl PageCache {
    /// A cache keeping pages for `ttl` (zero: keeps nothing).
    pub fn new(ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            ttl,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        })
    }

    /// Forgets every page: something they show may have changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves a map that is still whole: carry on with it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lookup(&self, key: &str) -> Lookup {
        let generation = self.generation.load(Ordering::SeqCst);
        let mut entries = self.lock();
        let Some(entry) = entries
            .get_mut(key)
            .filter(|entry| entry.generation == generation)
        else {
            return Lookup::Miss;
        };
        if entry.stored.elapsed() < self.ttl {
            Lookup::Fresh(entry.headers.clone(), entry.body.clone())
        } else if entry
            .refreshing_since
            .is_some_and(|since| since.elapsed() < REFRESH_PATIENCE)
        {
            Lookup::Stale(entry.headers.clone(), entry.body.clone())
        } else {
            entry.refreshing_since = Some(Instant::now());
            Lookup::Miss
        }
    }

    /// The render of `key` gave nothing to keep: the next request tries again.
    fn abandon(&self, key: &str) {
        self.lock().remove(key);
    }

    fn put(&self, key: String, generation: u64, headers: HeaderMap, body: Bytes) {
        if generation != self.generation.load(Ordering::SeqCst) {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, entry| entry.stored.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                stored: Instant::now(),
                generation,
                headers,
                body,
                refreshing_since: None,
            },
        );
    }
}

/// The public pages worth keeping: `/`, `/doctors` and `/doctors/{id}`, with their query.
fn cache_key(request: &Request) -> Option<String> {
    let uri = request.uri();
    let path = uri.path();
    let public = path == "/"
        || path == "/doctors"
        || path
            .strip_prefix("/doctors/")
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    let signed_in = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .any(|cookie| {
            cookie
                .as_bytes()
                .windows(15)
                .any(|w| w == b"clinic_session=")
        });
    (public && !signed_in).then(|| {
        uri.path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_else(|| path.to_owned())
    })
}

/// The middleware: answers a cacheable GET from the cache or renders and keeps it; any other
/// request empties the cache once it has been answered (it may have changed something).
pub async fn serve(State(cache): State<Arc<PageCache>>, request: Request, next: Next) -> Response {
    if cache.ttl.is_zero() {
        return next.run(request).await;
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let response = next.run(request).await;
        cache.invalidate();
        return response;
    }
    let Some(key) = cache_key(&request).filter(|_| request.method() == Method::GET) else {
        return next.run(request).await;
    };
    let generation = cache.generation.load(Ordering::SeqCst);
    match cache.lookup(&key) {
        Lookup::Fresh(headers, body) => return answer(headers, body, "hit"),
        Lookup::Stale(headers, body) => return answer(headers, body, "stale"),
        Lookup::Miss => {}
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        cache.abandon(&key);
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => {
            cache.put(key, generation, parts.headers.clone(), body.clone());
            answer(parts.headers, body, "miss")
        }
        // The render failed midway (or ran past any sensible size).
        Err(err) => {
            cache.abandon(&key);
            tracing::warn!(%err, "a public page could not be kept in the cache");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be rendered.\n",
            )
                .into_response()
        }
    }
}

fn answer(mut headers: HeaderMap, body: Bytes, how: &'static str) -> Response {
    headers.insert(CACHE_HEADER, HeaderValue::from_static(how));
    headers.remove(header::CONTENT_LENGTH);
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, cookie: Option<&str>) -> Request {
        let mut builder = axum::http::Request::get(uri);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder.body(Body::empty()).expect("request")
    }

    #[test]
    fn only_anonymous_public_pages_are_kept() {
        assert_eq!(
            cache_key(&request("/doctors?q=lee&page=2", None)).as_deref(),
            Some("/doctors?q=lee&page=2")
        );
        assert_eq!(cache_key(&request("/", None)).as_deref(), Some("/"));
        assert_eq!(
            cache_key(&request("/doctors/42", None)).as_deref(),
            Some("/doctors/42")
        );
        assert!(cache_key(&request("/doctors/42", Some("clinic_session=abc"))).is_none());
        assert!(cache_key(&request("/doctors/new", None)).is_none());
        assert!(cache_key(&request("/wallet", None)).is_none());
        assert!(cache_key(&request("/api/doctors", None)).is_none());
        // Another site's cookie is no session.
        assert!(cache_key(&request("/doctors", Some("theme=dark"))).is_some());
    }

    fn kind(lookup: Lookup) -> &'static str {
        match lookup {
            Lookup::Fresh(..) => "fresh",
            Lookup::Stale(..) => "stale",
            Lookup::Miss => "miss",
        }
    }

    #[test]
    fn pages_expire_and_a_change_forgets_them() {
        let cache = PageCache::new(Duration::from_millis(50));
        let page = |text: &'static str| Bytes::from_static(text.as_bytes());
        cache.put("/".into(), 0, HeaderMap::new(), page("home"));
        assert_eq!(kind(cache.lookup("/")), "fresh");
        cache.invalidate();
        assert_eq!(kind(cache.lookup("/")), "miss");
        // A render that began before the change is not kept.
        cache.put("/".into(), 0, HeaderMap::new(), page("old"));
        assert_eq!(kind(cache.lookup("/")), "miss");
        cache.put("/".into(), 1, HeaderMap::new(), page("new"));
        assert_eq!(kind(cache.lookup("/")), "fresh");
        // Expired: the first request renders again, the others get the old copy meanwhile.
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(kind(cache.lookup("/")), "miss");
        assert_eq!(kind(cache.lookup("/")), "stale");
        cache.put("/".into(), 1, HeaderMap::new(), page("newer"));
        assert_eq!(kind(cache.lookup("/")), "fresh");
        // A render that gave nothing to keep lets the next request try.
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(kind(cache.lookup("/")), "miss");
        cache.abandon("/");
        assert_eq!(kind(cache.lookup("/")), "miss");
        // A change forgets even the copy being rendered again.
        cache.put("/".into(), 1, HeaderMap::new(), page("newest"));
        cache.invalidate();
        assert_eq!(kind(cache.lookup("/")), "miss");
    }
}
