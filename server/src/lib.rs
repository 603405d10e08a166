//! The Clinic server: configuration, telemetry, the database (ours or a private PostgreSQL
//! cluster), the HTTP router and the command-line tasks. `main.rs` only parses the command line
//! and calls into here, so integration tests can assemble the same pieces.

pub mod config;
pub mod database;
pub mod demo;
pub mod edge;
pub mod explain;
pub mod exports;
pub mod housekeeping;
pub mod http;
pub mod invariants;
pub mod loadgen;
pub mod local_postgres;
pub mod mailer;
pub mod page_cache;
pub mod scale;
pub mod telemetry;
