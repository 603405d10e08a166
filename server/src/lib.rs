//! The Clinic server: configuration, telemetry, the database (ours or a private PostgreSQL
//! cluster), the HTTP router, and the operator's command-line tools (`tools/`). `main.rs` only
//! parses the command line and calls into here, so integration tests can assemble the same pieces.

pub mod availability;
pub mod config;
pub mod database;
pub mod edge;
pub mod exports;
pub mod housekeeping;
pub mod http;
pub mod local_postgres;
pub mod mailer;
pub mod monitoring;
pub mod page_cache;
pub mod redis;
pub mod sessions;
pub mod shared_state;
pub mod static_files;
pub mod telemetry;
pub mod tools;
