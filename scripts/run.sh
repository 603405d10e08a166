#!/usr/bin/env bash
# Runs Clinic on http://127.0.0.1:3000 with demo data: installs what is missing, builds the
# release, and serves. Without DATABASE_URL the server runs its own PostgreSQL in .local/postgres
# and stops it on exit (Ctrl-C). Extra arguments go to `server serve`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

step "Disk space" ensure_disk_space
step "Tools" ensure_build_tools
step "PostgreSQL" ensure_postgres
step "Release build" build_release

export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$REPO/target/site}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export CLINIC_DATA_DIR="${CLINIC_DATA_DIR:-$REPO/.local}"
exec "$SERVER_BIN" serve --demo "$@"
