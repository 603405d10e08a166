#!/usr/bin/env bash
# The Playwright suite alone, against the release build that scripts/test.sh, scripts/run.sh or
# `cargo leptos build --release --split` made: the server on a fresh database of its own (in the private
# cluster, or E2E_DATABASE_URL), the journeys in Chromium, then the search of the server's log
# for the secrets the suite used. Arguments go to Playwright: `--grep @patient`, a spec's file,
# `--headed`. `cargo leptos end-to-end --release --split` builds the release and runs this.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

step "Chromium" ensure_chromium
step "npm packages" npm_install end2end
[ -x "$SERVER_BIN" ] ||
    die "there is no release build at $SERVER_BIN: run scripts/test.sh or cargo leptos build --release --split first"

if [ -z "${E2E_DATABASE_URL:-}" ]; then
    [ -z "${DATABASE_URL:-}" ] ||
        die "DATABASE_URL is set: set E2E_DATABASE_URL too (an empty database the browser tests may fill)"
    stop_local_db_on_exit
    export E2E_DATABASE_URL="$("$SERVER_BIN" local-db start --database clinic_e2e --fresh)"
fi

run_browser_tests "$@"
