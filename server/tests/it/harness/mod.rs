//! The test harness: everything the test modules share, so that a test module imports only the
//! harness and the crates under test, never another test module.
//!
//! - `database`: a fresh, migrated database per test, and what tests ask of it (counts, the
//!   invariants, the code in the last email);
//! - `app`: `TestApp`, the app's router called in process or served on a loopback port, with
//!   typed requests (sign in, post a form, get a page, call a server function);
//! - `builders`: accounts, doctors, slots and the `World` of a doctor and patients with wallets;
//! - `values`: literals parsed for tests (money, instants, dates), request keys, settings;
//! - `matrix`: who may call which server function, and the people and objects it is about;
//! - `smtp_sink`: a real SMTP server on loopback that keeps what it receives;
//! - `redis_server`: a real Redis on loopback that a test can stop and start again.

mod app;
mod builders;
mod database;
mod matrix;
mod redis_server;
mod smtp_sink;
mod values;

pub use app::{TestApp, body_text, config, get, post, session_cookie, sign_in};
pub use builders::{Clinic, NewDoctor, PASSWORD, World, account, confirmed, form, local_now};
pub use database::{TestDb, assert_invariants, count, last_code};
pub use matrix::{CALLERS, Caller, Fixture, Snapshot, fingerprint, fixture, matrix, registered};
pub use redis_server::RedisServer;
pub use smtp_sink::SmtpSink;
pub use values::{at, date, decimal, key, money, settings};
