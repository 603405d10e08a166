//! The operator's tools, apart from the serving code: the command-line tasks other than `serve`
//! and `local-db` (demo and scale data, administrators, ratings, the booking benchmark, query
//! plans, backups and the database report) and the invariant checks they and the tests run.
//! Nothing that serves a request uses them; `main.rs` parses the command line and calls in here.

pub mod admin;
pub mod backup;
pub mod db_report;
pub mod demo;
pub mod explain;
pub mod http_client;
pub mod invariants;
pub mod loadgen;
pub mod pg_programs;
pub mod progress;
pub mod ratings;
pub mod restore;
pub mod scale;
