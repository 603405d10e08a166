//! The people's client: each request goes to the next instance in turn, and every answer is
//! counted by kind. A request whose answer never came, or came as a 5xx, is sent again (to
//! the next instance, with the same body and so the same request key) until a definite answer.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use server::tools::http_client::{Connection, Reply};

use super::{AWAY_TEXT, PATIENCE};

/// How a request ended, for the person who sent it.
#[derive(Debug)]
pub(super) enum Definite {
    Done(Reply),
    /// A 4xx (its status): the request was refused, and so changed nothing.
    Refused(u16),
    /// No definite answer within `PATIENCE`.
    GaveUp,
}

pub(super) struct Client {
    pub(super) hosts: Vec<String>,
    pub(super) connections: Vec<Option<Connection>>,
    /// The address the "proxy" gives for this person.
    pub(super) address: String,
    pub(super) next: usize,
    /// How many answers never came (or were 5xx) for this person, in all.
    pub(super) uncertain: u64,
    pub(super) tally: Arc<Tally>,
}

impl Client {
    pub(super) fn new(hosts: &[String], person: usize, tally: Arc<Tally>) -> Self {
        Self {
            hosts: hosts.to_vec(),
            connections: hosts.iter().map(|_| None).collect(),
            address: format!("10.0.{}.{}", person / 200, 1 + person % 200),
            next: person,
            uncertain: 0,
            tally,
        }
    }

    /// Sends once to the next instance; the answer, or `None` without one.
    pub(super) async fn once(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: &str,
    ) -> Option<Reply> {
        let n = self.next % self.hosts.len();
        self.next += 1;
        let started = Instant::now();
        let result = async {
            if self.connections[n].is_none() {
                let mut connection = Connection::open(&self.hosts[n]).await?;
                connection.always_send("X-Forwarded-For", &self.address);
                self.connections[n] = Some(connection);
            }
            let connection = self.connections[n].as_mut().expect("just opened");
            match method {
                "GET" => connection.get(path, cookie).await,
                _ => connection.post(path, cookie, body).await,
            }
        };
        let reply = match tokio::time::timeout(Duration::from_secs(15), result).await {
            Ok(Ok(reply)) => Some(reply),
            Ok(Err(_)) | Err(_) => None,
        };
        if reply.is_none() {
            self.connections[n] = None;
        }
        self.tally.record(path, reply.as_ref(), started.elapsed());
        reply
    }

    /// A page view: once; any answer is counted, none is retried.
    pub(super) async fn browse(&mut self, path: &str, cookie: &str) {
        self.once("GET", path, cookie, "").await;
    }

    /// Posts until a definite answer: a 2xx or a 4xx. No answer or a 5xx is tried again on the
    /// next instance after a moment, as a careful client (or the app's own forms) would.
    pub(super) async fn definite(&mut self, path: &str, cookie: &str, body: &str) -> Definite {
        let give_up = Instant::now() + PATIENCE;
        loop {
            match self.once("POST", path, cookie, body).await {
                Some(reply) if (200..300).contains(&reply.status) => return Definite::Done(reply),
                Some(reply) if (400..500).contains(&reply.status) => {
                    return Definite::Refused(reply.status);
                }
                _ => self.uncertain += 1,
            }
            if Instant::now() > give_up {
                self.tally
                    .problem(format!("{path}: no definite answer within {PATIENCE:?}"));
                return Definite::GaveUp;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// Every answer, counted by kind.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) inner: Mutex<TallyInner>,
}

#[derive(Default)]
pub(super) struct TallyInner {
    pub(super) requests: u64,
    pub(super) succeeded: u64,
    /// 4xx answers by status, and by what was asked with the first answer's words.
    pub(super) refused: BTreeMap<u16, u64>,
    pub(super) refusals: BTreeMap<(String, u16), (u64, String)>,
    /// 503s, and how many of them carried the clear page.
    pub(super) unavailable: u64,
    pub(super) unavailable_unclear: u64,
    pub(super) no_answer: u64,
    /// 500 and the other 5xx: each a bug, with a sample of what was said.
    pub(super) server_errors: Vec<String>,
    pub(super) slowest: Duration,
    pub(super) problems: Vec<String>,
}

impl Tally {
    pub(super) fn record(&self, path: &str, reply: Option<&Reply>, took: Duration) {
        let mut t = self.inner.lock().expect("tally");
        t.requests += 1;
        t.slowest = t.slowest.max(took);
        match reply {
            None => t.no_answer += 1,
            Some(r) if (200..400).contains(&r.status) => t.succeeded += 1,
            Some(r) if (400..500).contains(&r.status) => {
                *t.refused.entry(r.status).or_default() += 1;
                let (count, _) = t
                    .refusals
                    .entry((path.to_owned(), r.status))
                    .or_insert_with(|| (0, shorten(&r.body)));
                *count += 1;
            }
            Some(r) if r.status == 503 => {
                t.unavailable += 1;
                // A page says it in words; a server function answers with the typed error,
                // whose words the page that called it shows.
                let clear = if path.starts_with("/api/") {
                    r.body.trim() == "\"Unavailable\""
                } else {
                    r.body.contains(AWAY_TEXT)
                };
                if !clear {
                    t.unavailable_unclear += 1;
                    if t.unavailable_unclear <= 3 {
                        let sample = format!(
                            "{path} answered 503 without the clear page: {}",
                            shorten(&r.body)
                        );
                        t.problems.push(sample);
                    }
                }
            }
            Some(r) => {
                let sample = format!("{path} answered {}: {}", r.status, shorten(&r.body));
                t.server_errors.push(sample);
            }
        }
    }

    pub(super) fn problem(&self, problem: String) {
        self.inner.lock().expect("tally").problems.push(problem);
    }

    pub(super) fn problems(&self) -> Vec<String> {
        let t = self.inner.lock().expect("tally");
        let mut problems = t.problems.clone();
        problems.extend(
            t.server_errors
                .iter()
                .take(10)
                .map(|e| format!("server error: {e}")),
        );
        problems
    }

    pub(super) fn summary(&self, seconds: f64) -> String {
        let t = self.inner.lock().expect("tally");
        let refused: Vec<String> = t
            .refused
            .iter()
            .map(|(status, n)| format!("{status}: {n}"))
            .collect();
        let reasons: Vec<String> = t
            .refusals
            .iter()
            .map(|((path, status), (n, words))| format!("\n  {n} x {status} from {path}: {words}"))
            .collect();
        format!(
            "requests: {} ({:.0}/s); succeeded {}, refused {} ({}), 503 {}, no answer {}, server errors {}; slowest {:.1} s{}",
            t.requests,
            t.requests as f64 / seconds,
            t.succeeded,
            t.refused.values().sum::<u64>(),
            refused.join(", "),
            t.unavailable,
            t.no_answer,
            t.server_errors.len(),
            t.slowest.as_secs_f64(),
            reasons.concat()
        )
    }
}

pub(super) fn shorten(text: &str) -> String {
    text.chars().take(300).collect()
}
