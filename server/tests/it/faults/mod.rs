//! The fault test: three `server serve` processes over one PostgreSQL of their own and a local
//! SMTP server, under a mixed load of simulated people (visitors browsing; patients signing in,
//! topping up, booking, paying holds, cancelling and reviewing) spread over the three, while one
//! instance is killed with SIGKILL and started again, PostgreSQL is stopped and started, and
//! the mail server is away for 30 seconds.
//!
//! Afterwards: the invariants hold; each patient's appointments, ledger and reviews are exactly
//! what the answers they got said (every success is in the database, nothing else is); every
//! queued email reached the mail server exactly once (counted by Message-ID); while PostgreSQL
//! was away the pages answered 503 with a clear page and `/readyz` said so; every instance
//! recovered by itself. It prints the load, the faults and what the checks found.
//!
//! The people behave as a careful client does: an answer that never came (a killed instance, a
//! dropped connection) or a 503 is tried again, on the next instance, with the same request
//! key, until a definite answer comes. That is what makes "exactly what the answers said"
//! checkable: a request's outcome is never left unknown.

mod client;
mod journeys;
mod mail;
mod people;
mod processes;
mod schedule;

use std::sync::Arc;
use std::time::{Duration, Instant};

use server::tools::invariants;

use crate::harness::SmtpSink;
use client::{Client, Tally};
use journeys::{run_patient, run_visitor};
use mail::check_mail;
use people::{Patient, Totals, seed};
use processes::{Database, Instance, Scratch};
use schedule::inject_faults;

const INSTANCES: usize = 3;
const PATIENTS: usize = 12;
const VISITORS: usize = 3;
/// How long the load runs; the faults fall inside it.
const LOAD: Duration = Duration::from_secs(75);
const KILL_AT: Duration = Duration::from_secs(8);
const KILLED_FOR: Duration = Duration::from_secs(3);
const DATABASE_STOP_AT: Duration = Duration::from_secs(22);
const DATABASE_AWAY_FOR: Duration = Duration::from_secs(5);
const MAIL_STOP_AT: Duration = Duration::from_secs(38);
const MAIL_AWAY_FOR: Duration = Duration::from_secs(30);
/// How long a person keeps trying one request before giving up on it.
const PATIENCE: Duration = Duration::from_secs(60);
/// What a page says while the database is away (the 503 page).
const AWAY_TEXT: &str = "cannot be reached right now";
/// The doctors' fee, and the free slots they offer (days ahead, slots a day).
const FEE: &str = "40.00";
const DOCTORS: usize = 4;
const SLOT_DAYS: i32 = 14;
const SLOTS_A_DAY: i32 = 20;
/// The sandbox's approving test card, and the note every booking carries: neither may be logged.
const CARD_NUMBER: &str = "4242424242424242";
const VISIT_NOTE: &str = "Chest pain since Tuesday, worse on stairs";
/// Past completed visits each patient may review.
const VISITS_TO_REVIEW: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_lose_nothing_to_a_killed_instance_a_database_restart_or_a_mail_outage() {
    let scratch = Scratch::new();
    let database = Database::start(&scratch.path("postgres")).await;
    let pool = database.pool().await;
    server::database::migrate(&pool).await.expect("migrate");
    let people = seed(&pool).await;
    let sink = SmtpSink::start(false).await;

    let mut instances: Vec<Instance> = (0..INSTANCES)
        .map(|n| Instance::new(n, &scratch, &database.url(), &sink.url()))
        .collect();
    for instance in &mut instances {
        instance.spawn();
    }
    for instance in &instances {
        instance.wait_ready(Duration::from_secs(60)).await;
    }
    let hosts: Vec<String> = instances.iter().map(|i| i.host.clone()).collect();
    let instances = Arc::new(tokio::sync::Mutex::new(instances));
    let tally = Arc::new(Tally::default());

    // The people.
    let started = Instant::now();
    let load_ends = started + LOAD;
    let mut patients = Vec::new();
    for (n, patient) in people.patients.into_iter().enumerate() {
        let client = Client::new(&hosts, n, tally.clone());
        let slots = people.slots.clone();
        patients.push(tokio::spawn(run_patient(
            patient, client, slots, n as u64, load_ends,
        )));
    }
    let mut visitors = Vec::new();
    for n in 0..VISITORS {
        let client = Client::new(&hosts, PATIENTS + n, tally.clone());
        let doctors = people.doctors.clone();
        visitors.push(tokio::spawn(run_visitor(
            client, doctors, n as u64, load_ends,
        )));
    }

    // The faults, on a schedule within the load.
    let faults = {
        let instances = instances.clone();
        let sink = sink.clone();
        let folder = database.folder.clone();
        let url = database.url();
        tokio::spawn(async move {
            inject_faults(started, &instances, &folder, &url, &sink, &hosts).await
        })
    };

    let mut finished = Vec::new();
    for patient in patients {
        finished.push(patient.await.expect("a patient's task panicked"));
    }
    for visitor in visitors {
        visitor.await.expect("a visitor's task panicked");
    }
    let faults = faults.await.expect("the fault schedule panicked");
    let load_seconds = started.elapsed().as_secs_f64();

    // Mail queued during the outage goes out on its retries; wait for the outbox to empty.
    let drain_started = Instant::now();
    let unsent = loop {
        let unsent: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&pool)
        .await
        .expect("count unsent mail");
        if unsent == 0 || drain_started.elapsed() > Duration::from_secs(180) {
            break unsent;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let drained_after = drain_started.elapsed();
    {
        let mut instances = instances.lock().await;
        for instance in instances.iter_mut() {
            instance.stop();
        }
    }

    // The checks.
    let mut problems = Vec::new();
    let violations = invariants::violations(&pool)
        .await
        .expect("check the invariants");
    problems.extend(violations.iter().map(|v| format!("invariant broken: {v}")));
    let mut totals = Totals::default();
    for patient in &finished {
        totals.add(&patient.model);
        problems.extend(patient.differences(&pool).await);
    }
    problems.extend(tally.problems());
    problems.extend(faults.problems());
    let mail = check_mail(&pool, &sink, unsent).await;
    problems.extend(mail.problems.iter().cloned());
    problems.extend(secrets_in_logs(&instances.lock().await, &finished));

    println!(
        "\nFault test: {INSTANCES} instances, {PATIENTS} patients and {VISITORS} visitors for {load_seconds:.0} s\n{}\n{}\n{}\nmail: {} queued, {} delivered ({} distinct Message-IDs); outbox empty {:.1} s after the load\nchecks: {}",
        tally.summary(load_seconds),
        totals.summary(),
        faults.summary(),
        mail.queued,
        mail.delivered,
        mail.distinct,
        drained_after.as_secs_f64(),
        if problems.is_empty() {
            "every one passed".to_owned()
        } else {
            format!("{} FAILED", problems.len())
        }
    );
    if !problems.is_empty() {
        for instance in instances.lock().await.iter() {
            instance.print_log_tail();
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    database.stop();
}

/// Every password, card number, session id or visit note found in an instance's log (there must
/// be none), and any log that does not record its requests (the search would mean nothing).
fn secrets_in_logs(instances: &[Instance], patients: &[Patient]) -> Vec<String> {
    let mut secrets = vec![
        ("the password", crate::harness::PASSWORD.to_owned()),
        ("the card number", CARD_NUMBER.to_owned()),
        ("a visit note", VISIT_NOTE.to_owned()),
    ];
    for patient in patients {
        let ids = patient.model.session_ids.iter();
        secrets.extend(ids.map(|id| ("a session id", id.clone())));
    }
    let mut problems = Vec::new();
    for instance in instances {
        let requests = [("a booking request", "/api/booking/book".to_owned())];
        if instance.found_in_log(&requests).is_empty() {
            problems.push(format!(
                "instance {}'s log does not record its requests",
                instance.n
            ));
        }
        for secret in instance.found_in_log(&secrets) {
            problems.push(format!("instance {}'s log holds {secret}", instance.n));
        }
    }
    problems
}
