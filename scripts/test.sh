#!/usr/bin/env bash
# Runs every check: formatting, clippy (server and browser code), the Rust tests against a real
# PostgreSQL (and a real Redis for REDIS_URL's tests), and the Playwright journeys in Chromium against a release build. Installs what is
# missing first. Without DATABASE_URL the tests use the private cluster in .local/postgres,
# started for the run and stopped afterwards (unless it was already running).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

step "Disk space" ensure_disk_space
step "Tools" ensure_build_tools
step "PostgreSQL" ensure_postgres
step "Chromium" ensure_chromium
step "Redis" ensure_redis
step "npm packages" npm_install end2end

say "Checking formatting"
cargo fmt --all -- --check

say "Clippy (server side)"
cargo clippy --locked -p app -p server --all-targets -- -D warnings
say "Clippy (browser side)"
cargo clippy --locked -p frontend --target wasm32-unknown-unknown -- -D warnings

step "Release build" build_release

if [ -z "${DATABASE_URL:-}" ]; then
    # The Rust tests clone their databases through the maintenance database; Playwright gets a
    # fresh database of its own.
    stop_local_db_on_exit
    export DATABASE_URL="$("$SERVER_BIN" local-db start --database postgres)"
    export E2E_DATABASE_URL="$("$SERVER_BIN" local-db start --database clinic_e2e --fresh)"
else
    : "${E2E_DATABASE_URL:?set E2E_DATABASE_URL (an empty database for the browser tests) when DATABASE_URL is set}"
fi

say "Rust tests"
# Each test runs in a process of its own (nextest), or one at a time (cargo test): every
# #[tokio::test] has its own runtime, and Leptos's renderer may hand a wake-up to whichever
# runtime's thread triggers it; when that test's runtime ends first, another test's page never
# finishes. One runtime per process, as in the server, avoids it.
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --locked --config-file scripts/nextest.toml -p app -p server
else
    cargo test --locked -p app -p server -- --test-threads=1
fi

run_browser_tests

say "The target folder now holds $(du -sh "$TARGET_DIR" 2>/dev/null | cut -f1); $(free_gb) GB are free beside it"
