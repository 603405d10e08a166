//! Integration tests against a real PostgreSQL: one binary (it links once), one module per area.
//! Every test gets a fresh database cloned from a migrated template. scripts/test.sh runs them
//! with nextest, a process per test (the comment there says why). What the modules share lives in
//! `harness`; a test module imports the harness, never another test module.

// The allocator the server runs with (main.rs), so memory is measured as it will be served.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod abuse;
mod accounts;
mod admin;
mod appointment_privacy;
mod audit;
mod authorization;
mod backup;
mod balance_limits;
mod booking;
mod dashboards;
mod data_rights;
mod db_report;
mod directory;
mod edge;
mod faults;
mod free_weeks;
mod harness;
mod hostile;
mod mail;
mod mail_failures;
mod operations;
mod oversight;
mod payments;
mod plain_html;
mod redis;
mod reviews;
mod scale;
mod schema;
mod sessions;
mod slots;
mod text_limits;
mod users;
mod web;
