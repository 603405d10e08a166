//! The faults, on their schedule within the load: an instance killed and started again,
//! PostgreSQL stopped and started (probing the instances while it is away), the mail server
//! away for 30 seconds; and what was seen of each.

use std::path::Path;
use std::time::{Duration, Instant};

use server::local_postgres::{self, LocalPostgres};

use super::processes::{Instance, page, status_of};
use super::{
    AWAY_TEXT, DATABASE_AWAY_FOR, DATABASE_STOP_AT, KILL_AT, KILLED_FOR, LOAD, MAIL_AWAY_FOR,
    MAIL_STOP_AT,
};
use crate::harness::SmtpSink;

#[derive(Default)]
pub(super) struct FaultReport {
    pub(super) killed_ready_after: Option<Duration>,
    pub(super) database_probes: Vec<Probe>,
    pub(super) database_recovered_after: Option<Duration>,
    pub(super) mail_stopped: bool,
    pub(super) problems: Vec<String>,
}

/// One look at an instance while the database was away.
pub(super) struct Probe {
    pub(super) since_stop: Duration,
    pub(super) instance: usize,
    pub(super) page: Option<u16>,
    pub(super) page_is_clear: bool,
    pub(super) ready: Option<u16>,
}

impl FaultReport {
    pub(super) fn problems(&self) -> Vec<String> {
        let mut problems = self.problems.clone();
        // Each instance's own probe asks every second and waits 2 s for an answer, so it has
        // noticed within 3 s; from then on every page must be the clear 503 at once, and
        // `/readyz` must say the database is away.
        let settled: Vec<&Probe> = self
            .database_probes
            .iter()
            .filter(|p| p.since_stop >= Duration::from_millis(3500))
            .collect();
        if settled.is_empty() {
            problems.push("no probe ran while the database was away".to_owned());
        }
        for probe in settled {
            if probe.page != Some(503) || !probe.page_is_clear || probe.ready != Some(503) {
                problems.push(format!(
                    "{:.1} s into the database's absence, instance {} answered the page with {:?} (clear: {}) and /readyz with {:?}",
                    probe.since_stop.as_secs_f64(),
                    probe.instance,
                    probe.page,
                    probe.page_is_clear,
                    probe.ready
                ));
            }
        }
        if self.killed_ready_after.is_none() {
            problems.push("the killed instance never became ready again".to_owned());
        }
        if self.database_recovered_after.is_none() {
            problems.push(
                "the instances did not all serve again after the database came back".to_owned(),
            );
        }
        if !self.mail_stopped {
            problems.push("the mail outage did not happen within the load".to_owned());
        }
        problems
    }

    pub(super) fn summary(&self) -> String {
        let seconds = |d: Option<Duration>| {
            d.map_or("never".to_owned(), |d| format!("{:.1} s", d.as_secs_f64()))
        };
        let clear_503s = self
            .database_probes
            .iter()
            .filter(|p| p.page == Some(503) && p.page_is_clear)
            .count();
        format!(
            "faults: instance 1 SIGKILLed at {:.0} s and started {:.0} s later, ready {} after its start; PostgreSQL stopped (pg_ctl stop -m fast) at {:.0} s for {:.0} s: {} of {} probes of the instances got the clear 503 page, and all served again {} after it started; SMTP away from {:.0} s for {:.0} s",
            KILL_AT.as_secs_f64(),
            KILLED_FOR.as_secs_f64(),
            seconds(self.killed_ready_after),
            DATABASE_STOP_AT.as_secs_f64(),
            DATABASE_AWAY_FOR.as_secs_f64(),
            clear_503s,
            self.database_probes.len(),
            seconds(self.database_recovered_after),
            MAIL_STOP_AT.as_secs_f64(),
            MAIL_AWAY_FOR.as_secs_f64()
        )
    }
}

pub(super) async fn inject_faults(
    started: Instant,
    instances: &tokio::sync::Mutex<Vec<Instance>>,
    database: &Path,
    database_url: &str,
    sink: &SmtpSink,
    hosts: &[String],
) -> FaultReport {
    let mut report = FaultReport::default();
    let at = |offset: Duration| tokio::time::sleep_until((started + offset).into());

    // An instance dies at once, mid-request, and is started again.
    at(KILL_AT).await;
    instances.lock().await[1].kill();
    tokio::time::sleep(KILLED_FOR).await;
    instances.lock().await[1].spawn();
    let restarted = Instant::now();
    let ready = async {
        loop {
            if status_of(&hosts[1], "/readyz").await == Some(200) {
                return restarted.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    report.killed_ready_after = tokio::time::timeout(Duration::from_secs(60), ready)
        .await
        .ok();

    // PostgreSQL goes away (a fast shutdown ends every connection) and comes back.
    at(DATABASE_STOP_AT).await;
    let folder = database.to_owned();
    let stopped = tokio::task::spawn_blocking(move || local_postgres::stop(&folder))
        .await
        .expect("stopping PostgreSQL panicked");
    if !matches!(stopped, Ok(true)) {
        report
            .problems
            .push(format!("could not stop PostgreSQL: {stopped:?}"));
    }
    let stop_time = Instant::now();
    while stop_time.elapsed() < DATABASE_AWAY_FOR {
        let probes = hosts.iter().enumerate().map(|(instance, host)| async move {
            let since_stop = stop_time.elapsed();
            let (reply, ready) = tokio::join!(page(host, "/doctors"), status_of(host, "/readyz"));
            Probe {
                since_stop,
                instance,
                page: reply.as_ref().map(|r| r.status),
                page_is_clear: reply.as_ref().is_some_and(|r| r.body.contains(AWAY_TEXT)),
                ready,
            }
        });
        report
            .database_probes
            .extend(futures_util::future::join_all(probes).await);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let folder = database.to_owned();
    let restarted = tokio::task::spawn_blocking(move || LocalPostgres::start(&folder))
        .await
        .expect("starting PostgreSQL panicked");
    match restarted {
        // The cluster must come back where it was, or no instance could find it.
        Ok(cluster) if cluster.url("postgres") != database_url => report
            .problems
            .push("PostgreSQL came back on another port".to_owned()),
        Ok(_) => {}
        Err(err) => report
            .problems
            .push(format!("could not start PostgreSQL again: {err}")),
    }
    let back = Instant::now();
    let all_serve = async {
        loop {
            let mut serving = 0;
            for host in hosts {
                if status_of(host, "/readyz").await == Some(200)
                    && status_of(host, "/doctors").await == Some(200)
                {
                    serving += 1;
                }
            }
            if serving == hosts.len() {
                return back.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    report.database_recovered_after = tokio::time::timeout(Duration::from_secs(60), all_serve)
        .await
        .ok();

    // The mail server goes away for 30 seconds.
    at(MAIL_STOP_AT).await;
    sink.stop();
    tokio::time::sleep(MAIL_AWAY_FOR).await;
    sink.resume().await;
    report.mail_stopped = started.elapsed() <= LOAD;
    report
}
