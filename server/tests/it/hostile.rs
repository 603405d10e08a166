//! Hostile input: every registered server function, called over HTTP through the real router as
//! each caller the authorization matrix lets call it (and a visitor), with each parameter of its
//! valid form in turn replaced by what an attacker sends. Every answer must be a 2xx or a 4xx
//! with a message a person can read (never a 5xx, never a panic), and a refused call must leave
//! the database as it was. The cases come from server_fn's registry, so a new server function
//! is covered as soon as the matrix knows a valid form for it, and fails the test until then.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use tower::ServiceExt;

use app::domain::AppError;
use server::config::Config;
use server::http;

use crate::harness::{
    CALLERS, Caller, Fixture, PASSWORD, Snapshot, TestDb, body_text, config, fingerprint, fixture,
    matrix, registered, session_cookie,
};

/// Optional parameters that the matrix's valid forms leave out, with a valid value each, so that
/// they meet the hostile values too.
const OPTIONAL: &[(&str, &str, &str)] = &[
    ("sign-in", "remember", "on"),
    ("sign-in", "next", "%2Fwallet"),
    ("booking/book", "notes", "Knee"),
    ("booking/cancel", "reason", "Busy"),
    ("reviews/create", "anonymous", "on"),
    ("reviews/edit", "anonymous", "on"),
    ("slots/preview", "break_start", "13:30"),
    ("slots/preview", "break_end", "13:45"),
    ("slots/preview", "gap_minutes", "5"),
    ("slots/bulk", "gap_minutes", "5"),
    ("admin/refund-payment", "reason", "Sorry"),
    ("account/delete", "card_number", "4242424242424242"),
    ("account/delete", "expiry", "12%2F39"),
    ("account/delete", "cvc", "123"),
];

/// What a parameter holds, as far as the hostile values are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A database id (some are sent as text, e.g. a doctor form's specialty).
    Id,
    /// Money.
    Amount,
    /// A small count: a page, minutes, years, stars.
    Count,
    Date,
    Time,
    /// A checkbox or a `true`/`false`.
    Flag,
    Text,
}

impl Kind {
    fn of(name: &str) -> Self {
        // `params[max_fee]` names its field inside the brackets.
        let field = name
            .rsplit_once('[')
            .map_or(name, |(_, inner)| inner.trim_end_matches(']'));
        match field {
            "id" | "specialty" => Self::Id,
            f if f.ends_with("_id") => Self::Id,
            "amount" | "consultation_fee" | "expected_refund" | "max_fee" => Self::Amount,
            "page" | "slot_minutes" | "gap_minutes" | "experience_years" | "rating" | "stars"
            | "min_rating" | "within" => Self::Count,
            "date" | "from" | "to" | "first_day" | "last_day" | "week" | "after" | "before" => {
                Self::Date
            }
            "start_time" | "end_time" | "day_start" | "day_end" | "break_start" | "break_end" => {
                Self::Time
            }
            "active" | "unavailable" | "remember" | "anonymous" | "mon" | "tue" | "wed" | "thu"
            | "fri" | "sat" | "sun" => Self::Flag,
            _ => Self::Text,
        }
    }
}

/// Values every parameter meets (form-encoded, as they go on the wire): the wrong type, empty,
/// huge, control characters, SQL and HTML.
fn common_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "text",
        "[]",
        "{}",
        "",
        "%00",
        "%01",
        "%0D%0A",
        "%09",
        // SQL
        "%27%20OR%201%3D1%20--",
        "1%3B%20DROP%20TABLE%20users",
        // HTML
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ]
    .map(str::to_owned)
    .to_vec();
    // Well under the 64 KB body limit, so it reaches the server function.
    values.push("x".repeat(20_000));
    values
}

/// Values for numbers: negative, zero, unrepresentable, not numbers at all.
const NUMBERS: [&str; 8] = [
    "-1",
    "0",
    "999999999",
    "99999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "1.0000001",
];

/// Values for the parameters of `kind`; `others` are other people's ids for an id.
fn values_for(kind: Kind, others: &[i64]) -> Vec<String> {
    let mut values = common_values();
    let specific: &[&str] = match kind {
        Kind::Id | Kind::Count | Kind::Amount => &NUMBERS,
        Kind::Date => &["0001-01-01", "9999-12-31", "2030-02-30", "-1", "20300101"],
        Kind::Time => &["24:00", "23:59:60", "-1", "9:99", "12:00:00.5"],
        Kind::Flag => &["maybe", "1", "-1", "off"],
        Kind::Text => &[],
    };
    values.extend(specific.iter().map(|v| (*v).to_owned()));
    if kind == Kind::Amount {
        values.extend(["-10", "10.001", "1%2C5", "0.00"].map(str::to_owned));
    }
    values.extend(others.iter().map(i64::to_string));
    values
}

/// Whether `value` can never be a valid `kind`, so that a call with it must be refused rather
/// than carried out with the value rounded, clamped or read as something else.
fn never_valid(kind: Kind, value: &str) -> bool {
    let not_a_number = [
        // (Only whitespace is no value at all, which optional filters take as "any".)
        "text", "[]", "{}", "NaN", "inf", "1e309", "%00", "%01",
    ];
    match kind {
        Kind::Id => {
            not_a_number.contains(&value) || ["99999999999999999999", "1.0000001"].contains(&value)
        }
        Kind::Amount => {
            not_a_number.contains(&value)
                || ["99999999999999999999", "1.0000001", "10.001", "-10", "-1"].contains(&value)
        }
        Kind::Date => not_a_number.contains(&value) || ["2030-02-30", "-1", "NaN"].contains(&value),
        Kind::Time => not_a_number.contains(&value) || ["24:00", "9:99", "-1"].contains(&value),
        Kind::Count | Kind::Flag | Kind::Text => false,
    }
}

/// Other people's ids for a parameter called `name`: objects that belong to the other patient
/// or the other doctor (and the patient's payment, which only an admin may touch).
fn other_ids(fixture: &Fixture, name: &str) -> Vec<i64> {
    match name {
        "slot_id" => vec![fixture.other_slots[0], fixture.booking_slots[1]],
        "appointment_id" => vec![fixture.other_appointment, fixture.other_visit_to_review],
        "review_id" => vec![fixture.other_review],
        "doctor_id" => vec![fixture.other_doctor],
        "payment_id" => vec![fixture.own_payment],
        "id" => vec![fixture.other_doctor, fixture.other_patient],
        "specialty" => vec![fixture.spare_specialty],
        _ => Vec::new(),
    }
}

/// One form parameter, as sent.
#[derive(Debug, Clone)]
struct Param {
    name: String,
    value: String,
}

fn parse_form(body: &str) -> Vec<Param> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Param {
                name: name.to_owned(),
                value: value.to_owned(),
            }
        })
        .collect()
}

fn encode_form(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect::<Vec<_>>()
        .join("&")
}

/// One hostile call: the form and what it changed from the valid one (for the report).
struct Case {
    body: String,
    parameter: String,
    value: String,
    /// The value can never be valid: the call must be refused.
    must_refuse: bool,
}

/// The hostile variants of a valid form: each parameter in turn with each hostile value,
/// missing, duplicated, and sent as a list or a map; and every form (those without parameters
/// too) with one more that the function does not take.
///
/// When not `thorough` (a visitor who must sign in first: the arguments are read before the
/// function turns the visitor away, so this is the same reading the signed-in callers meet
/// with every value) the values every parameter meets, and none of the shapes.
fn cases(fixture: &Fixture, valid: &[Param], thorough: bool) -> Vec<Case> {
    let mut cases = Vec::new();
    let report = |value: &str| -> String {
        if value.len() > 40 {
            format!("{}... ({} chars)", &value[..12], value.len())
        } else {
            value.to_owned()
        }
    };
    for (i, param) in valid.iter().enumerate() {
        let with = |replacement: Vec<Param>| {
            let mut params = valid.to_vec();
            params.splice(i..=i, replacement);
            encode_form(&params)
        };
        let kind = Kind::of(&param.name);
        let values = if thorough {
            values_for(kind, &other_ids(fixture, &param.name))
        } else {
            common_values()
        };
        for value in values {
            cases.push(Case {
                body: with(vec![Param {
                    name: param.name.clone(),
                    value: value.clone(),
                }]),
                parameter: param.name.clone(),
                must_refuse: never_valid(kind, &value),
                value: report(&value),
            });
        }
        if !thorough {
            continue;
        }
        let shaped = |name: String, value: &str| Param {
            name,
            value: value.to_owned(),
        };
        for (what, replacement) in [
            ("(missing)", vec![]),
            ("(twice)", vec![param.clone(), param.clone()]),
            (
                "(twice, the second hostile)",
                vec![param.clone(), shaped(param.name.clone(), "%3Cb%3E")],
            ),
            (
                "(as a list)",
                vec![shaped(format!("{}%5B%5D", param.name), &param.value)],
            ),
            (
                "(as a map)",
                vec![shaped(format!("{}%5Bx%5D", param.name), &param.value)],
            ),
        ] {
            cases.push(Case {
                body: with(replacement),
                parameter: param.name.clone(),
                value: what.to_owned(),
                must_refuse: false,
            });
        }
    }
    // A parameter the function does not take: ignored or refused, never a fault.
    for value in ["%00", "%3Cscript%3E", &"x".repeat(20_000)] {
        let mut params = valid.to_vec();
        params.push(Param {
            name: "unexpected".to_owned(),
            value: value.to_owned(),
        });
        cases.push(Case {
            body: encode_form(&params),
            parameter: "unexpected".to_owned(),
            value: report(value),
            must_refuse: false,
        });
    }
    cases
}

/// What came back: the status, whether the body was JSON, the body, and any session cookie.
struct Answer {
    status: u16,
    json: bool,
    body: String,
    cookie: Option<String>,
}

/// Calls a server function as the browser does, with a `Content-Length` as the browser sends
/// it. `Err` when the handler panicked or hung instead of answering.
async fn call(
    router: &Router,
    method: &Method,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> Result<Answer, String> {
    let mut request = if *method == Method::GET {
        Request::get(format!("{path}?{body}"))
            .body(Body::empty())
            .expect("request")
    } else {
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body.to_owned()))
            .expect("request")
    };
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert(header::COOKIE, cookie.parse().expect("a cookie"));
    }
    let router = router.clone();
    // A task of its own, so that a panic that escapes the edge is reported, not fatal.
    let answer = tokio::spawn(async move {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status().as_u16();
        let json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let cookie = session_cookie(&response);
        Answer {
            status,
            json,
            body: body_text(response).await,
            cookie,
        }
    });
    match tokio::time::timeout(Duration::from_secs(20), answer).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(panic)) => Err(format!("no answer: the handler panicked ({panic})")),
        Err(_) => Err("no answer within 20 s".to_owned()),
    }
}

/// Why `answer` is not an acceptable answer to a hostile call, if it is not.
fn fault(answer: &Answer) -> Option<String> {
    let excerpt = || answer.body.chars().take(200).collect::<String>();
    match answer.status {
        500.. => Some(format!("answered {}: {}", answer.status, excerpt())),
        400..500 if answer.json => match serde_json::from_str::<AppError>(&answer.body) {
            Ok(error) if !error.to_string().trim().is_empty() => None,
            Ok(_) => Some(format!("answered {} with an empty message", answer.status)),
            Err(_) => Some(format!(
                "answered {} with JSON that is not an error: {}",
                answer.status,
                excerpt()
            )),
        },
        400..500 if answer.body.trim().is_empty() => {
            Some(format!("answered {} without a message", answer.status))
        }
        _ => None,
    }
}

/// Takes the database's snapshot only when something may have been written since the last
/// one: most hostile calls are refused without a write, and the snapshot is the slow part of a
/// call. A write needs a transaction id, so while the cluster's next transaction id stays the
/// same nothing was written (another test's database moving it on costs a snapshot, no more).
#[derive(Default)]
struct Watch {
    last: Option<(String, Snapshot)>,
}

impl Watch {
    async fn snapshot(&mut self, db: &TestDb) -> Snapshot {
        let next_xid: String =
            sqlx::query_scalar("SELECT pg_snapshot_xmax(pg_current_snapshot())::text")
                .fetch_one(&db.pool)
                .await
                .expect("the next transaction id");
        match &self.last {
            Some((xid, snapshot)) if *xid == next_xid => snapshot.clone(),
            _ => {
                let snapshot = fingerprint(db).await;
                self.last = Some((next_xid, snapshot.clone()));
                snapshot
            }
        }
    }
}

/// The callers' accounts as they must stay for their cookies to keep working.
async fn callers_state(db: &TestDb) -> Vec<(String, bool, i32)> {
    sqlx::query_as(
        "SELECT username::text, is_active, auth_epoch FROM users
          WHERE username IN ('una', 'pat', 'doc', 'adm') ORDER BY username",
    )
    .fetch_all(&db.pool)
    .await
    .expect("callers")
}

async fn sign_in(router: &Router, caller: Caller) -> Option<String> {
    let name = caller.username()?;
    let body = format!("identifier={name}&password={PASSWORD}");
    let answer = call(router, &Method::POST, "/api/sign-in", &body, None)
        .await
        .unwrap_or_else(|e| panic!("sign-in of {name}: {e}"));
    assert_eq!(answer.status, 200, "sign-in of {name}: {}", answer.body);
    Some(format!(
        "clinic_session={}",
        answer.cookie.expect("a session cookie")
    ))
}

/// Who may call each server function, and with which valid form: the first matrix row for it
/// that does not refuse the caller outright (401 or 403), and a visitor with the first row.
type Forms = BTreeMap<String, Vec<(Caller, String)>>;

fn valid_forms(fixture: &Fixture) -> Forms {
    let mut forms = Forms::new();
    for row in matrix() {
        let path = format!("/api/{}", row.path);
        let callers = forms.entry(path).or_default();
        for (i, caller) in CALLERS.into_iter().enumerate() {
            let allowed = caller == Caller::Visitor || !matches!(row.expect[i], 401 | 403);
            if allowed && !callers.iter().any(|(c, _)| *c == caller) {
                let mut body = (row.body)(fixture, caller);
                for (_, name, value) in OPTIONAL.iter().filter(|(p, ..)| *p == row.path) {
                    body = format!("{body}&{name}={value}")
                        .trim_start_matches('&')
                        .to_owned();
                }
                callers.push((caller, body));
            }
        }
    }
    forms
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_survives_hostile_input() {
    let started = Instant::now();
    let db = TestDb::new().await;
    let fixture = fixture(&db).await;
    // Hundreds of calls per caller would hit every rate limit; the limits have their own tests.
    let router = http::router(
        &Config {
            rate_limits: false,
            ..config()
        },
        db.pool.clone(),
    );
    let forms = valid_forms(&fixture);
    let mut cookies: BTreeMap<&str, String> = BTreeMap::new();
    for caller in CALLERS {
        if let Some(cookie) = sign_in(&router, caller).await {
            cookies.insert(caller.tag(), cookie);
        }
    }
    let callers_before = callers_state(&db).await;
    // The matrix's order, which keeps the fixture's objects usable for as long as possible
    // (the refund that cancels the patient's appointment comes last).
    let mut order: Vec<String> = Vec::new();
    for row in matrix() {
        let path = format!("/api/{}", row.path);
        if !order.contains(&path) {
            order.push(path);
        }
    }
    let methods: BTreeMap<String, Method> = registered().into_iter().collect();
    let mut failures = Vec::new();
    for path in methods.keys().filter(|p| !order.contains(p)) {
        failures.push(format!(
            "{path}: no valid form is known, so it meets no hostile input (add its row to \
             matrix() in server/tests/it/authorization.rs)"
        ));
    }
    let mut watch = Watch::default();
    let (mut calls, mut snapshot) = (0_usize, watch.snapshot(&db).await);
    for path in order.iter().filter(|p| methods.contains_key(*p)) {
        let method = &methods[path];
        // One body over the limit per function: refused before it is read.
        let oversized = format!("q={}", "x".repeat(70 * 1024));
        let request = Request::builder()
            .method(method.clone())
            .uri(path.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CONTENT_LENGTH, oversized.len())
            .body(Body::from(oversized))
            .expect("request");
        let status = router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible")
            .status();
        calls += 1;
        if status != 413 {
            failures.push(format!("{path}: a 70 KB body answered {status}, not 413"));
        }
        let visitors_sign_in = matrix()
            .iter()
            .filter(|row| format!("/api/{}", row.path) == *path)
            .all(|row| row.expect[0] == 401);
        for (caller, valid) in &forms[path] {
            let thorough = !(*caller == Caller::Visitor && visitors_sign_in);
            for case in cases(&fixture, &parse_form(valid), thorough) {
                let cookie = cookies.get(caller.tag()).map(String::as_str);
                let answer = call(&router, method, path, &case.body, cookie).await;
                calls += 1;
                let what = format!(
                    "{path} as {caller:?}, {} = {:?}",
                    case.parameter, case.value
                );
                let after = watch.snapshot(&db).await;
                let answer = match answer {
                    Ok(answer) => answer,
                    Err(dropped) => {
                        failures.push(format!("{what}: {dropped}"));
                        snapshot = after;
                        continue;
                    }
                };
                if let Some(fault) = fault(&answer) {
                    failures.push(format!("{what}: {fault}"));
                }
                if case.must_refuse && answer.status < 400 {
                    failures.push(format!(
                        "{what}: accepted ({}) a value that is never valid: {}",
                        answer.status,
                        answer.body.chars().take(120).collect::<String>()
                    ));
                }
                if answer.status != 200 {
                    let changed = snapshot.forbidden_changes(&after, path);
                    if !changed.is_empty() {
                        failures.push(format!(
                            "{what}: answered {} but changed {changed:?}",
                            answer.status
                        ));
                    }
                }
                let replaced = match (cookie, &answer.cookie) {
                    (Some(current), Some(set)) => format!("clinic_session={set}") != current,
                    _ => false,
                };
                let changed_data = after != snapshot;
                snapshot = after;
                // An accepted hostile call may have deactivated a caller's account (an admin
                // naming an id), or signed the caller in as someone else or out: put the
                // callers back as they were, so every later call is made as the same person.
                if changed_data && callers_state(&db).await != callers_before {
                    restore_callers(&db, &router, &mut cookies).await;
                    snapshot = watch.snapshot(&db).await;
                } else if replaced && let Some(cookie) = sign_in(&router, *caller).await {
                    cookies.insert(caller.tag(), cookie);
                    snapshot = watch.snapshot(&db).await;
                }
            }
        }
    }
    let elapsed = started.elapsed();
    println!("{calls} hostile calls in {elapsed:.1?}");
    assert!(
        failures.is_empty(),
        "{} hostile calls were answered wrongly (of {calls}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Reactivates the callers' accounts and signs each in again.
async fn restore_callers(db: &TestDb, router: &Router, cookies: &mut BTreeMap<&str, String>) {
    sqlx::query("UPDATE users SET is_active = TRUE WHERE username IN ('una', 'pat', 'doc', 'adm')")
        .execute(&db.pool)
        .await
        .expect("reactivate");
    for caller in CALLERS {
        if let Some(cookie) = sign_in(router, caller).await {
            cookies.insert(caller.tag(), cookie);
        }
    }
}

/// The snapshot is what the whole test leans on: make sure it sees a change in a balance.
#[tokio::test]
async fn the_snapshot_sees_a_balance_change() {
    let db = TestDb::new().await;
    fixture(&db).await;
    let before: Snapshot = fingerprint(&db).await;
    sqlx::query("UPDATE users SET wallet_balance = wallet_balance + 1 WHERE username = 'pat'")
        .execute(&db.pool)
        .await
        .expect("balance");
    let changed = before.forbidden_changes(&fingerprint(&db).await, "/api/me");
    assert_eq!(changed, ["users"]);
}
