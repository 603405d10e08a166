//! The cache of the public pages visitors read most (the home page, the directory and the
//! doctors' pages), and of the read-only server functions those pages call as a visitor moves
//! between them in the browser (the specialties, a directory page, a doctor's profile, free
//! week and reviews), for visitors who are not signed in.
//!
//! Rendering a page on the server costs about a millisecond of CPU however fast its queries are,
//! and the busiest pages are the same for every visitor. So the rendered page of a URL is kept
//! for `CLINIC_PAGE_CACHE_MS` (30 s by default; 0 turns the cache off) and served again as is.
//!
//! A change forgets exactly the pages it alters, in every instance: the service that commits it
//! announces it (`app::services::page_changes`), and each instance listens on PostgreSQL
//! (`LISTEN`). A booking forgets that doctor's pages and the directory; a specialty's new name
//! every page. Pages are grouped by what they show ([`Scope`]), and each group has a generation
//! that a change moves on; a page is served only while its group's generation is the one it was
//! rendered under, so a render that was under way during a change is never served either.
//!
//! While an instance cannot listen (at start, or when its connection dropped) it keeps nothing
//! and serves nothing from the cache, and once it listens again it forgets everything: it may
//! have missed a change meanwhile. What a page can still miss is what nobody announces: a slot
//! starting (it leaves the free times) and a change made by hand in SQL, for at most the
//! lifetime. Bookings are never affected: a visitor who books a time that went meanwhile gets
//! "this slot was just taken" with the nearest free times, as with any race.
//!
//! With Redis (`REDIS_URL`), the instances also share their pages ([`shared`]): a page one
//! instance rendered is served by all, and the generations live in Redis too, read on every
//! request, so that from the moment a change's answer goes out no instance serves a page it
//! altered, not even from its own memory. While Redis is away each instance goes on alone.
//!
//! When a page has expired, the first request renders it again while the others are still
//! answered with the expired copy (for as long as that render takes, at most a few seconds), so
//! a busy page is never rendered by every waiting request at once.
//!
//! Memory is bounded by size ([`MAX_BYTES`], the least recently used pages leave first). The
//! key of a page is its path with only the parameters the page reads, in a fixed order, so
//! junk parameters cannot multiply entries. Only anonymous GETs are cached, only complete 200
//! answers without a cookie, and a signed-in visitor (who sees their name in the header)
//! always gets a fresh render.

pub mod shared;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::services::changed_pages::Heard;
use app::services::page_changes::CHANNEL;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use sqlx::postgres::PgListener;

use self::shared::{SharedPages, SharedStamp};

/// The most bytes of pages kept at once (a directory page is about 40 KB).
const MAX_BYTES: u64 = 64 << 20;
/// The largest page read into the cache (pages are far smaller; this only bounds memory).
const MAX_PAGE_BYTES: usize = 8 << 20;
/// How long other requests get the expired copy while one renders the page again; a render
/// taking longer is presumed lost and the next request tries.
const REFRESH_PATIENCE: Duration = Duration::from_secs(5);
/// Doctors' pages are grouped into this many generations by id: a change to one doctor
/// forgets the pages of the few that share its group, and the memory stays fixed.
const DOCTOR_GROUPS: usize = 1024;
/// How long the listener waits before trying to connect again.
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);
/// Says whether an answer came from the cache (`hit`), from it while the page is being
/// rendered again (`stale`), from the pages the instances share (`shared`), or was rendered and
/// kept (`miss`).
pub const CACHE_HEADER: &str = "x-page-cache";

/// What a cached page shows, as far as changes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The home page: the specialties and how many doctors practise each.
    Home,
    /// The directory, every filter and page of it.
    Directory,
    /// One doctor's page, every week and review page of it.
    Doctor(i64),
}

impl Scope {
    /// The generation this scope's pages count under, beside [`Generation::Everything`].
    fn generation(self) -> Generation {
        match self {
            Self::Home => Generation::Home,
            Self::Directory => Generation::Directory,
            Self::Doctor(id) => {
                Generation::DoctorGroup(id.rem_euclid(DOCTOR_GROUPS as i64) as usize)
            }
        }
    }
}

/// One of the counters a change moves on; a page is good while the two it counts under (that of
/// everything and its scope's) are where they were when it was rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    Everything,
    Home,
    Directory,
    DoctorGroup(usize),
}

impl Generation {
    /// The generations `heard` moves on.
    fn moved_by(heard: Heard) -> Vec<Self> {
        match heard {
            Heard::Doctor(id) => vec![Scope::Doctor(id).generation(), Self::Directory],
            Heard::Roster => vec![Self::Home, Self::Directory],
            Heard::Everything => vec![Self::Everything],
        }
    }
}

/// The generations a page was rendered under: the one of everything, and its scope's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    everything: u64,
    scope: u64,
}

struct Generations {
    everything: AtomicU64,
    home: AtomicU64,
    directory: AtomicU64,
    doctors: Box<[AtomicU64]>,
}

impl Generations {
    fn new() -> Self {
        Self {
            everything: AtomicU64::new(0),
            home: AtomicU64::new(0),
            directory: AtomicU64::new(0),
            doctors: (0..DOCTOR_GROUPS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    fn counter(&self, generation: Generation) -> &AtomicU64 {
        match generation {
            Generation::Everything => &self.everything,
            Generation::Home => &self.home,
            Generation::Directory => &self.directory,
            Generation::DoctorGroup(group) => &self.doctors[group],
        }
    }

    fn stamp(&self, scope: Scope) -> Stamp {
        Stamp {
            everything: self.everything.load(Ordering::SeqCst),
            scope: self.counter(scope.generation()).load(Ordering::SeqCst),
        }
    }

    fn hear(&self, heard: Heard) {
        for generation in Generation::moved_by(heard) {
            self.counter(generation).fetch_add(1, Ordering::SeqCst);
        }
    }
}

struct Entry {
    stored: Instant,
    stamp: Stamp,
    /// The generations in Redis it was rendered under, when Redis answered then.
    shared: Option<SharedStamp>,
    headers: HeaderMap,
    body: Bytes,
    /// Set while one request renders the expired page again.
    refreshing_since: Mutex<Option<Instant>>,
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
    /// The pages all instances share, when Redis is configured.
    shared: Option<SharedPages>,
    generations: Generations,
    /// Whether this instance hears announced changes; nothing is kept or served otherwise.
    listening: AtomicBool,
    entries: moka::sync::Cache<String, Arc<Entry>>,
}

impl PageCache {
    /// A cache keeping pages for `ttl` (zero: keeps nothing), shared through Redis when
    /// `redis` is given. It serves nothing until [`listen`] has started hearing changes (or, in
    /// tests, [`PageCache::assume_listening`]).
    pub fn new(ttl: Duration, redis: Option<Arc<crate::redis::Redis>>) -> Arc<Self> {
        let entries = moka::sync::Cache::builder()
            .max_capacity(MAX_BYTES)
            .weigher(|key: &String, entry: &Arc<Entry>| {
                let bytes = key.len() + entry.body.len() + 64 * entry.headers.len();
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            // Expired pages leave by themselves; the expired copy stays long enough to be
            // served while it is rendered again.
            .time_to_live(ttl + REFRESH_PATIENCE)
            .build();
        Arc::new(Self {
            ttl,
            shared: redis.map(|redis| SharedPages::new(redis, ttl)),
            generations: Generations::new(),
            listening: AtomicBool::new(false),
            entries,
        })
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// A change was announced.
    fn hear(&self, payload: &str) {
        match Heard::parse(payload) {
            Some(heard) => self.generations.hear(heard),
            None => {
                tracing::warn!(payload, "an announced change this version cannot place");
                self.generations.hear(Heard::Everything);
            }
        }
    }

    /// Listening began or ended: whatever is kept may have missed a change.
    fn set_listening(&self, listening: bool) {
        self.generations.hear(Heard::Everything);
        self.listening.store(listening, Ordering::SeqCst);
        self.entries.invalidate_all();
    }

    #[cfg(test)]
    fn assume_listening(&self) {
        self.set_listening(true);
    }

    /// What is kept for `key`. With the generations Redis has now (`shared`), a page must
    /// have been rendered under them too; without (no Redis, or it is away), this instance's
    /// own generations decide alone.
    fn lookup(&self, key: &str, scope: Scope, shared: Option<SharedStamp>) -> Lookup {
        let Some(entry) = self.entries.get(key) else {
            return Lookup::Miss;
        };
        if entry.stamp != self.generations.stamp(scope)
            || shared.is_some_and(|now| entry.shared != Some(now))
        {
            return Lookup::Miss;
        }
        if entry.stored.elapsed() < self.ttl {
            return Lookup::Fresh(entry.headers.clone(), entry.body.clone());
        }
        let mut refreshing = entry
            .refreshing_since
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if refreshing.is_some_and(|since| since.elapsed() < REFRESH_PATIENCE) {
            Lookup::Stale(entry.headers.clone(), entry.body.clone())
        } else {
            *refreshing = Some(Instant::now());
            Lookup::Miss
        }
    }

    /// The render of `key` gave nothing to keep: the next request tries again.
    fn abandon(&self, key: &str) {
        self.entries.invalidate(key);
    }

    /// Keeps `key`'s page, rendered (or kept in Redis) `age` ago under `stamp` (and `shared`).
    fn put(&self, key: String, scope: Scope, stamp: Stamp, rendered: Rendered) -> bool {
        if stamp != self.generations.stamp(scope) || !self.listening.load(Ordering::SeqCst) {
            // Something changed while it rendered: it may show the world before the change.
            self.entries.invalidate(&key);
            return false;
        }
        let Rendered {
            headers,
            body,
            shared,
            age,
        } = rendered;
        let entry = Entry {
            stored: Instant::now().checked_sub(age).unwrap_or_else(Instant::now),
            stamp,
            shared,
            headers,
            body,
            refreshing_since: Mutex::new(None),
        };
        self.entries.insert(key, Arc::new(entry));
        true
    }
}

/// A page to keep, with what it was rendered under.
struct Rendered {
    headers: HeaderMap,
    body: Bytes,
    shared: Option<SharedStamp>,
    /// How long ago it was rendered (a page from Redis has lived part of its lifetime there).
    age: Duration,
}

/// Hears the changes every instance announces, for as long as the server runs: connects (a
/// connection of its own, not one of the pool's), listens, and when the connection drops keeps
/// nothing until it listens again.
pub fn listen(cache: Arc<PageCache>, pool: PgPool) {
    tokio::spawn(async move {
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => match listener.listen(CHANNEL).await {
                    Ok(()) => {
                        cache.set_listening(true);
                        hear_until_lost(&cache, &mut listener).await;
                        cache.set_listening(false);
                        // The server is stopping (it closed the pool): nothing more to hear.
                        if pool.is_closed() {
                            return;
                        }
                    }
                    Err(err) => tracing::warn!(%err, "the page cache could not listen for changes"),
                },
                Err(err) => {
                    tracing::warn!(%err, "the page cache could not connect to hear changes");
                }
            }
            tokio::time::sleep(RECONNECT_PAUSE).await;
        }
    });
}

async fn hear_until_lost(cache: &PageCache, listener: &mut PgListener) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => cache.hear(notification.payload()),
            Ok(None) => {
                tracing::warn!("the page cache lost its connection; pages are not kept meanwhile");
                return;
            }
            // The server is stopping; not worth a warning.
            Err(sqlx::Error::PoolClosed) => return,
            Err(err) => {
                tracing::warn!(%err, "the page cache stopped hearing changes; pages are not kept meanwhile");
                return;
            }
        }
    }
}

/// The addresses worth keeping: what each shows ([`Scope`]) and the parameters it reads (any
/// others cannot change it). The server functions are the ones the public pages call.
fn cacheable(path: &str, query: &str) -> Option<(Scope, &'static [&'static str])> {
    use app::domain::directory::DirectoryParams;
    let doctor = |name| single_value(query, name)?.parse().ok().map(Scope::Doctor);
    Some(match path {
        "/" | "/api/specialties" | "/api/specialty-names" => (Scope::Home, &[]),
        "/doctors" | "/api/doctors" => (Scope::Directory, &DirectoryParams::NAMES),
        "/api/doctor" => (doctor("id")?, &["id"]),
        "/api/doctor-week" => (doctor("id")?, &["id", "week"]),
        "/api/reviews/doctor" => (doctor("doctor_id")?, &["doctor_id", "stars", "page"]),
        _ => (
            Scope::Doctor(
                path.strip_prefix("/doctors/")
                    .filter(|id| id.bytes().all(|b| b.is_ascii_digit()))?
                    .parse()
                    .ok()?,
            ),
            &app::pages::public::DOCTOR_PAGE_PARAMS,
        ),
    })
}

/// The value of `name` in `query` when it is given exactly once.
fn single_value<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    let mut values = query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .filter(|(key, _)| *key == name)
        .map(|(_, value)| value);
    let value = values.next()?;
    values.next().is_none().then_some(value)
}

/// The addresses worth keeping ([`cacheable`]) for visitors who are not signed in: the key (the
/// path and the parameters the address reads, in a fixed order) and the scope. A parameter
/// given twice is not cached (which one the page reads is its business).
fn cache_key(request: &Request) -> Option<(String, Scope)> {
    let uri = request.uri();
    let path = uri.path();
    let query = uri.query().unwrap_or_default();
    let (scope, params) = cacheable(path, query)?;
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
    if signed_in {
        return None;
    }
    let mut key = path.to_owned();
    for name in params {
        let mut values = query
            .split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value);
        let value = values.next().unwrap_or_default();
        if values.next().is_some() {
            return None;
        }
        if !value.is_empty() {
            key.push(if key.contains('?') { '&' } else { '?' });
            key.push_str(name);
            key.push('=');
            key.push_str(value);
        }
    }
    Some((key, scope))
}

/// The middleware: answers a cacheable GET from the cache or renders and keeps it.
pub async fn serve(State(cache): State<Arc<PageCache>>, request: Request, next: Next) -> Response {
    if !cache.enabled()
        || request.method() != Method::GET
        || !cache.listening.load(Ordering::SeqCst)
    {
        return next.run(request).await;
    }
    let Some((key, scope)) = cache_key(&request) else {
        return next.run(request).await;
    };
    let stamp = cache.generations.stamp(scope);
    let shared_stamp = match &cache.shared {
        Some(shared) => shared.stamp(scope.generation()).await,
        None => None,
    };
    match cache.lookup(&key, scope, shared_stamp) {
        Lookup::Fresh(headers, body) => return answer(headers, body, "hit"),
        Lookup::Stale(headers, body) => return answer(headers, body, "stale"),
        Lookup::Miss => {}
    }
    if let (Some(shared), Some(now)) = (&cache.shared, shared_stamp)
        && let Some(page) = shared.get(&key, now).await
    {
        let (headers, body) = (page.headers.clone(), page.body.clone());
        cache.put(
            key,
            scope,
            stamp,
            Rendered {
                headers: page.headers,
                body: page.body,
                shared: shared_stamp,
                age: page.age,
            },
        );
        return answer(headers, body, "shared");
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        cache.abandon(&key);
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => {
            let rendered = Rendered {
                headers: parts.headers.clone(),
                body: body.clone(),
                shared: shared_stamp,
                age: Duration::ZERO,
            };
            let kept = cache.put(key.clone(), scope, stamp, rendered);
            if kept && let (Some(shared), Some(under)) = (&cache.shared, shared_stamp) {
                shared.put(key, under, &parts.headers, body.clone());
            }
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

    fn key(uri: &str) -> Option<String> {
        cache_key(&request(uri, None)).map(|(key, _)| key)
    }

    #[test]
    fn only_anonymous_public_pages_are_kept() {
        assert_eq!(
            key("/doctors?q=lee&after=abc").as_deref(),
            Some("/doctors?q=lee&after=abc")
        );
        assert_eq!(key("/").as_deref(), Some("/"));
        assert_eq!(
            cache_key(&request("/doctors/42", None)),
            Some(("/doctors/42".to_owned(), Scope::Doctor(42)))
        );
        assert!(cache_key(&request("/doctors/42", Some("clinic_session=abc"))).is_none());
        assert!(key("/doctors/new").is_none());
        assert!(key("/doctors/").is_none());
        assert!(key("/wallet").is_none());
        assert!(key("/api/me").is_none());
        // The server functions the public pages call as a visitor browses.
        assert_eq!(
            cache_key(&request("/api/doctor-week?week=2027-01-04&id=7&x=1", None)),
            Some((
                "/api/doctor-week?id=7&week=2027-01-04".to_owned(),
                Scope::Doctor(7)
            ))
        );
        assert_eq!(
            key("/api/doctors?sort=fee&q=lee").as_deref(),
            Some("/api/doctors?q=lee&sort=fee")
        );
        assert!(key("/api/doctor?id=7&id=8").is_none());
        assert!(key("/api/doctor?id=x").is_none());
        // Another site's cookie is no session.
        assert!(cache_key(&request("/doctors", Some("theme=dark"))).is_some());
    }

    #[test]
    fn keys_hold_only_what_the_page_reads_in_one_order() {
        assert_eq!(
            key("/doctors?sort=fee&utm_source=x&q=lee&page=&junk").as_deref(),
            Some("/doctors?q=lee&sort=fee")
        );
        assert_eq!(
            key("/doctors?q=lee&sort=fee"),
            key("/doctors?sort=fee&q=lee&x=1")
        );
        assert_eq!(key("/?x=1").as_deref(), Some("/"));
        assert_eq!(
            key("/doctors/7?page=2&week=2027-01-04&b=1").as_deref(),
            Some("/doctors/7?week=2027-01-04&page=2")
        );
        // Which of two values a page reads is its own business: not cached.
        assert!(key("/doctors?q=a&q=b").is_none());
    }

    impl PageCache {
        fn lookup_alone(&self, key: &str, scope: Scope) -> Lookup {
            self.lookup(key, scope, None)
        }
    }

    fn kind(lookup: Lookup) -> &'static str {
        match lookup {
            Lookup::Fresh(..) => "fresh",
            Lookup::Stale(..) => "stale",
            Lookup::Miss => "miss",
        }
    }

    fn page(text: &'static str) -> Bytes {
        Bytes::from_static(text.as_bytes())
    }

    /// Keeps `text` as `key`'s page, rendered under the current generations.
    fn keep(cache: &PageCache, key: &str, scope: Scope, text: &'static str) {
        let stamp = cache.generations.stamp(scope);
        cache.put(key.into(), scope, stamp, rendered(page(text)));
    }

    fn rendered(body: Bytes) -> Rendered {
        Rendered {
            headers: HeaderMap::new(),
            body,
            shared: None,
            age: Duration::ZERO,
        }
    }

    #[test]
    fn a_change_forgets_only_the_pages_it_alters() {
        let cache = PageCache::new(Duration::from_secs(60), None);
        cache.assume_listening();
        keep(&cache, "/", Scope::Home, "home");
        keep(&cache, "/doctors", Scope::Directory, "directory");
        keep(&cache, "/doctors/1", Scope::Doctor(1), "one");
        keep(&cache, "/doctors/2", Scope::Doctor(2), "two");
        let fresh = |key: &str, scope| kind(cache.lookup_alone(key, scope)) == "fresh";

        cache.hear("doctor:1");
        assert!(fresh("/", Scope::Home));
        assert!(!fresh("/doctors", Scope::Directory));
        assert!(!fresh("/doctors/1", Scope::Doctor(1)));
        assert!(fresh("/doctors/2", Scope::Doctor(2)));

        keep(&cache, "/doctors", Scope::Directory, "directory");
        cache.hear("roster");
        assert!(!fresh("/", Scope::Home));
        assert!(!fresh("/doctors", Scope::Directory));
        assert!(fresh("/doctors/2", Scope::Doctor(2)));

        cache.hear("everything");
        assert!(!fresh("/doctors/2", Scope::Doctor(2)));
        keep(&cache, "/doctors/2", Scope::Doctor(2), "two");
        // A payload this version does not know forgets everything.
        cache.hear("specialty:3");
        assert!(!fresh("/doctors/2", Scope::Doctor(2)));
    }

    #[test]
    fn with_redis_a_page_counts_only_under_the_generations_redis_has_now() {
        let cache = PageCache::new(Duration::from_secs(60), None);
        cache.assume_listening();
        let before = SharedStamp::at(3, 8);
        let stamp = cache.generations.stamp(Scope::Doctor(1));
        let kept = Rendered {
            shared: Some(before),
            ..rendered(page("one"))
        };
        cache.put("/doctors/1".into(), Scope::Doctor(1), stamp, kept);
        let lookup = |shared| kind(cache.lookup("/doctors/1", Scope::Doctor(1), shared));
        assert_eq!(lookup(Some(before)), "fresh");
        // Another instance announced a change: Redis moved on, and this instance has not
        // heard the notification yet. The page is not served.
        assert_eq!(lookup(Some(SharedStamp::at(3, 9))), "miss");
        assert_eq!(lookup(Some(SharedStamp::at(4, 8))), "miss");
        // With Redis away, the instance's own generations decide.
        assert_eq!(lookup(None), "fresh");
    }

    #[test]
    fn a_render_under_way_during_a_change_is_not_kept() {
        let cache = PageCache::new(Duration::from_secs(60), None);
        cache.assume_listening();
        let stamp = cache.generations.stamp(Scope::Doctor(5));
        cache.hear("doctor:5");
        cache.put(
            "/doctors/5".into(),
            Scope::Doctor(5),
            stamp,
            rendered(page("old")),
        );
        assert_eq!(
            kind(cache.lookup_alone("/doctors/5", Scope::Doctor(5))),
            "miss"
        );
    }

    #[test]
    fn nothing_is_kept_while_not_listening() {
        let cache = PageCache::new(Duration::from_secs(60), None);
        keep(&cache, "/", Scope::Home, "home");
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "miss");
        cache.assume_listening();
        keep(&cache, "/", Scope::Home, "home");
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "fresh");
        // Losing the connection forgets what was kept: changes may go unheard meanwhile.
        cache.set_listening(false);
        cache.set_listening(true);
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "miss");
    }

    #[test]
    fn an_expired_page_is_rendered_once_while_others_get_the_old_copy() {
        let cache = PageCache::new(Duration::from_millis(50), None);
        cache.assume_listening();
        keep(&cache, "/", Scope::Home, "home");
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "fresh");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "miss");
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "stale");
        keep(&cache, "/", Scope::Home, "newer");
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "fresh");
        // A render that gave nothing to keep lets the next request try.
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "miss");
        cache.abandon("/");
        assert_eq!(kind(cache.lookup_alone("/", Scope::Home)), "miss");
    }

    #[test]
    fn memory_is_bounded_by_size() {
        let cache = PageCache::new(Duration::from_secs(60), None);
        cache.assume_listening();
        let big = Bytes::from(vec![b'x'; 1 << 20]);
        for n in 0..200 {
            let stamp = cache.generations.stamp(Scope::Directory);
            cache.put(
                format!("/doctors?q={n}"),
                Scope::Directory,
                stamp,
                rendered(big.clone()),
            );
        }
        cache.entries.run_pending_tasks();
        assert!(cache.entries.weighted_size() <= MAX_BYTES);
        assert!(cache.entries.entry_count() < 200);
    }
}
