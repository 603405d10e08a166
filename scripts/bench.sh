#!/usr/bin/env bash
# Measures the doctor directory and a doctor's page at scale: builds the release, loads a
# generated data set (`seed-demo --scale`) into its own database of the private cluster (once;
# later runs reuse it while it is recent), serves it, and runs wrk against each page after a
# warm-up, with the sign-in page as the baseline of the same run. Then prints the directory
# query's plans (`server explain-directory`) when the server has that command.
#
# With BENCH_WHAT=mix it measures the page cache under a realistic mix instead (bench-mix.lua):
# visitors browsing the directory and many doctors' pages and signed-in people asking who is
# signed in, first alone (the baseline) and then beside a stream of bookings (each forgets that
# doctor's pages and the directory), and prints requests/s, p99 and the cache's hit rate.
#
# With BENCH_WHAT=booking it measures booking instead: `server bench-booking` drives the booking
# server function over HTTP with each client count of BENCH_CLIENTS (fresh patients' sessions,
# distinct free slots, a new request key per request) and checks the invariants afterwards, and
# pgbench's built-in TPC-B-like script runs on the same PostgreSQL with the same client count as
# the yardstick; the ratio of the two is printed.
#
# Settings (environment):
#   BENCH_WHAT=pages     or mix, or booking
#   BENCH_BOOKERS=2      patients booking back to back beside the mix
#   BENCH_SIGNED_IN_SHARE=0.2  the mix's share of signed-in requests
#   BENCH_CLIENTS="32 64 128"   client counts for the booking benchmark
#   BENCH_SCALE=100      the data set: 100×N doctors, 10,000×N slots (see `server seed-demo --help`)
#   BENCH_SECONDS=15     how long each page is measured
#   BENCH_WARMUP=3       seconds of load before each measurement, not counted
#   BENCH_RESEED=1       drop the benchmark database and load it again
#   BENCH_QUERY=son      the name fragment searched for
#   BENCH_DATABASE=clinic_bench, BENCH_PORT (default: a free port from 3200)
#   CLINIC_PAGE_CACHE_MS  passed to the server: 0 measures every request rendered afresh
#                         (the default, 30000, serves visitors' public pages from the cache)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_SCALE="${BENCH_SCALE:-100}"
BENCH_SECONDS="${BENCH_SECONDS:-15}"
BENCH_WARMUP="${BENCH_WARMUP:-3}"
BENCH_QUERY="${BENCH_QUERY:-son}"
BENCH_DATABASE="${BENCH_DATABASE:-clinic_bench}"
CONNECTIONS=32

ensure_build_tools
# The benchmark always uses the private cluster, whatever DATABASE_URL says.
DATABASE_URL="" ensure_postgres
command -v wrk >/dev/null 2>&1 || apt_install wrk
command -v curl >/dev/null 2>&1 || apt_install curl
build_release

PSQL="$(command -v psql || compgen -G '/usr/lib/postgresql/*/bin/psql' | sort -V | tail -n 1 || true)"
[ -n "$PSQL" ] || die "psql is missing: install the postgresql-client package"
export CLINIC_DATA_DIR="$REPO/.local"

server_pid=""
started_cluster=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$started_cluster" ]; then
        "$SERVER_BIN" local-db stop || true
    fi
}
trap cleanup EXIT

if ! "$SERVER_BIN" local-db status >/dev/null; then
    started_cluster=1
fi

# One number from the database, or nothing when the query fails (no schema yet).
sql() { "$PSQL" "$DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null || true; }

# The generated data set takes minutes to load, so it is kept between runs: reload only when
# asked to, or when the database holds something else (another scale, demo data, a half load).
expected_doctors="$(awk -v n="$BENCH_SCALE" 'BEGIN { d = int(n * 100 + 0.5); print (d < 1 ? 1 : d) }')"
if [ "${BENCH_RESEED:-0}" = 1 ]; then
    say "Recreating the benchmark database $BENCH_DATABASE (BENCH_RESEED=1)"
    DATABASE_URL="$("$SERVER_BIN" local-db start --database "$BENCH_DATABASE" --fresh)"
else
    DATABASE_URL="$("$SERVER_BIN" local-db start --database "$BENCH_DATABASE")"
fi
export DATABASE_URL
# Doctors, users, and how many days of slots lie ahead (the window moves on from the day of
# seeding, so an old data set has fewer free slots to find).
state="$(sql "SELECT (SELECT count(*) FROM doctors) || ' ' || (SELECT count(*) FROM users) || ' '
                     || coalesce((SELECT max(date) - current_date FROM time_slots), 0)")"
read -r doctors users days_ahead <<<"${state:-0 0 0}"
if [ "$doctors" = "$expected_doctors" ] && [ "$days_ahead" -ge 25 ]; then
    say "Reusing the data set in $BENCH_DATABASE ($doctors doctors)"
else
    if [ "$users" != 0 ]; then
        if [ "$doctors" = "$expected_doctors" ]; then
            say "The data set in $BENCH_DATABASE has only $days_ahead days of slots ahead: loading it again"
        else
            say "$BENCH_DATABASE has $doctors doctors, not the $expected_doctors of scale $BENCH_SCALE: loading it again"
        fi
        DATABASE_URL="$("$SERVER_BIN" local-db start --database "$BENCH_DATABASE" --fresh)"
    fi
    say "Loading the data set at scale $BENCH_SCALE (once; BENCH_RESEED=1 loads it again)"
    "$SERVER_BIN" seed-demo --scale "$BENCH_SCALE"
fi

# A free port: nothing answers on it.
port="${BENCH_PORT:-}"
if [ -z "$port" ]; then
    for candidate in $(seq 3200 3299); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
            port=$candidate
            break
        fi
    done
    [ -n "$port" ] || die "no free port between 3200 and 3299; set BENCH_PORT"
fi
base="http://127.0.0.1:$port"
log="$TARGET_DIR/bench-server.log"

say "Starting the server on $base (log: $log)"
# The load comes from one address and a few accounts, far past any person's pace: rate limits
# would measure themselves, so they are off for the benchmark (never in a deployment).
LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$REPO/target/site" RUST_LOG="${RUST_LOG:-warn}" \
    CLINIC_RATE_LIMITS=off "$SERVER_BIN" serve >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        tail -n 30 "$log" >&2
        server_pid=""
        die "the server stopped before answering /readyz"
    fi
    sleep 0.5
done
curl -fsS -o /dev/null "$base/readyz" || die "the server did not answer /readyz within 60 s"

if [ "${BENCH_WHAT:-pages}" = booking ]; then
    PGBENCH="$(command -v pgbench || compgen -G '/usr/lib/postgresql/*/bin/pgbench' | sort -V | tail -n 1 || true)"
    [ -n "$PGBENCH" ] || die "pgbench is missing: install the postgresql-contrib package"
    pgbench_url="$("$SERVER_BIN" local-db start --database clinic_pgbench --fresh)"
    say "Preparing pgbench (scale 10) in its own database"
    "$PGBENCH" -i -q -s 10 "$pgbench_url" >/dev/null 2>&1 || die "pgbench -i failed"
    results=()
    for clients in ${BENCH_CLIENTS:-32 64 128}; do
        say "pgbench, $clients clients, ${BENCH_SECONDS}s"
        tps="$("$PGBENCH" -n -c "$clients" -j 2 -T "$BENCH_SECONDS" "$pgbench_url" 2>/dev/null \
            | awk '/^tps/ { print $3; exit }')"
        say "Booking over HTTP, $clients clients, ${BENCH_SECONDS}s"
        out="$("$SERVER_BIN" bench-booking --host "127.0.0.1:$port" --clients "$clients" --seconds "$BENCH_SECONDS")" \
            || { echo "$out"; die "the booking benchmark failed"; }
        echo "$out"
        rate="$(awk '/^bookings\/s/ { print $2 }' <<<"$out")"
        latency="$(awk '/^bookings\/s/ { print $4, $5, $6, $7, $8, $9 }' <<<"$out")"
        ratio="$(awk -v r="$rate" -v t="$tps" 'BEGIN { printf "%.2f", (t > 0 ? r / t : 0) }')"
        results+=("$(printf '%4s clients: %6s bookings/s (%s)   pgbench %8.0f tps   ratio %s' "$clients" "$rate" "$latency" "$tps" "$ratio")")
    done
    echo
    echo "Booking at scale $BENCH_SCALE, ${BENCH_SECONDS}s per run, $(nproc) CPUs (load generator and pgbench on the same machine):"
    printf '%s\n' "${results[@]}"
    exit 0
fi

if [ "${BENCH_WHAT:-pages}" = mix ]; then
    # The doctors visitors look at (the most reviewed first: bench-mix.lua favours them), and
    # a signed-in patient whose header asks who is signed in. The booking load signs in the
    # first patients; this one is the last.
    mix_doctors="$(sql "SELECT string_agg(id::text, ' ') FROM (SELECT id FROM doctors WHERE is_active
                          ORDER BY total_reviews DESC, id LIMIT 500) d")"
    patient="$(sql "SELECT username FROM users WHERE user_type = 'patient' AND is_active
                      AND email_verified_at IS NOT NULL ORDER BY id DESC LIMIT 1")"
    [ -n "$mix_doctors" ] && [ -n "$patient" ] || die "the benchmark database has no doctors or patients"
    # The scale data set's password (DEMO_PASSWORD in server/src/tools/demo).
    cookie="$(curl -s -D - -o /dev/null --data "identifier=$patient&password=demo-clinic-2026" "$base/api/sign-in" \
        | tr -d '\r' | awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /^clinic_session=/ { print $2; exit }')"
    [ -n "$cookie" ] || die "signing in $patient gave no session cookie (see $log)"
    export MIX_DOCTORS="$mix_doctors" MIX_COOKIE="$cookie" MIX_SIGNED_IN_SHARE="${BENCH_SIGNED_IN_SHARE:-0.2}"
    mix() {
        wrk -t2 -c"$CONNECTIONS" -d"${BENCH_SECONDS}s" --latency -s "$REPO/scripts/bench-mix.lua" "$base"
    }
    summary() {
        local out=$1 rps p99 cache
        rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
        p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
        cache="$(grep '^cache:' <<<"$out" | sed 's/^cache: //')"
        printf '%10s req/s   p99 %9s   %s' "$rps" "$p99" "$cache"
    }
    say "Warming up for ${BENCH_WARMUP}s"
    wrk -t2 -c"$CONNECTIONS" -d"${BENCH_WARMUP}s" -s "$REPO/scripts/bench-mix.lua" "$base" >/dev/null
    say "The mix alone, ${BENCH_SECONDS}s (the baseline)"
    quiet="$(mix)"
    say "The mix beside a stream of bookings (${BENCH_BOOKERS:-2} patients booking back to back)"
    bookings_out="$(mktemp)"
    "$SERVER_BIN" bench-booking --host "127.0.0.1:$port" --clients "${BENCH_BOOKERS:-2}" \
        --seconds "$BENCH_SECONDS" >"$bookings_out" 2>&1 &
    booking_pid=$!
    busy="$(mix)"
    wait "$booking_pid" || { cat "$bookings_out"; die "the booking load failed"; }
    bookings="$(awk '/^bookings\/s/ { print $2 }' "$bookings_out")"
    invariants="$(grep -i 'invariant' "$bookings_out" || true)"
    rm -f "$bookings_out"
    echo
    echo "Mixed load at scale $BENCH_SCALE: $CONNECTIONS connections of visitors (directory and doctors' pages) and"
    echo "signed-in people (${MIX_SIGNED_IN_SHARE} of requests: GET /api/me), ${BENCH_SECONDS}s each, $(nproc) CPUs, page cache ${CLINIC_PAGE_CACHE_MS:-30000} ms:"
    echo "  alone (baseline):                $(summary "$quiet")"
    echo "  beside $bookings bookings/s:   $(summary "$busy")"
    [ -n "$invariants" ] && echo "  $invariants"
    exit 0
fi

# Filters that make sense for this data set: a common specialty, and the most reviewed doctor
# (the heaviest doctor page).
specialty="$(sql "SELECT id FROM specialties ORDER BY lower(name) = 'general practice' DESC, id LIMIT 1")"
doctor="$(sql "SELECT id FROM doctors WHERE is_active ORDER BY total_reviews DESC, id LIMIT 1")"
[ -n "$specialty" ] && [ -n "$doctor" ] || die "the benchmark database has no specialties or doctors"

# The sign-in page is the baseline: the same server, page shell and session, no data to read.
# (Not the home page: it counts every specialty's doctors, which grows with the data.)
baseline="/sign-in"
paths=(
    "$baseline"
    "/doctors"
    "/doctors?q=$BENCH_QUERY"
    "/doctors?specialty=$specialty"
    "/doctors?sort=fee&max_fee=100&min_rating=4"
    "/doctors?within=3&sort=soonest"
    "/doctors/$doctor"
    # Week 8 of the same doctor's free times (seven weeks on). The data set has slots a month
    # ahead, so this is an empty week: its query, then the one finding the nearest free time.
    "/doctors/$doctor?week=$(date -u -d '+49 days' +%F)"
)

# A page that fails would measure the error page: check every one first.
for path in "${paths[@]}"; do
    status="$(curl -s -o /dev/null -w '%{http_code}' "$base$path" || true)"
    [ "$status" = 200 ] || die "$path answered $status, not 200 (see $log)"
done

say "Measuring each page for ${BENCH_SECONDS}s with $CONNECTIONS connections (after ${BENCH_WARMUP}s of warm-up)"
results=()
for path in "${paths[@]}"; do
    wrk -t2 -c"$CONNECTIONS" -d"${BENCH_WARMUP}s" "$base$path" >/dev/null
    out="$(wrk -t2 -c"$CONNECTIONS" -d"${BENCH_SECONDS}s" --latency "$base$path")"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    p50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
    p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
    # wrk counts error statuses and socket errors apart from the latency figures.
    errors="$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")"
    line="$(printf '%-48s %10s req/s   p50 %9s   p99 %9s' "$path" "$rps" "$p50" "$p99")"
    if [ "$errors" != 0 ]; then
        line="$line   ($errors errors)"
    fi
    [ "$path" = "$baseline" ] && line="$line   (baseline)"
    echo "$line"
    results+=("$line")
done

echo
echo "Scale $BENCH_SCALE ($expected_doctors doctors), ${BENCH_SECONDS}s per page, $CONNECTIONS connections, $(nproc) CPUs, page cache ${CLINIC_PAGE_CACHE_MS:-30000} ms:"
printf '%s\n' "${results[@]}"

# The server is stopped first, so the plans are not measured under its background work.
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
echo
if "$SERVER_BIN" explain-directory --help >/dev/null 2>&1; then
    say "Plans of the directory query (EXPLAIN ANALYZE, BUFFERS)"
    "$SERVER_BIN" explain-directory
else
    say "Skipping the query plans: this server has no explain-directory command yet"
fi
