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
# With BENCH_WHAT=all it runs the three in turn (the pages rendered afresh, the mix with the
# cache, booking at 32 clients), weighs the bundle as served, and ends with every figure of
# issue 14 beside its target. Every page and booking figure comes with the CPU the server and
# PostgreSQL spent on it, in microseconds per request (from /proc, over the measured seconds).
#
# With BENCH_WHAT=redis it measures what Redis (REDIS_URL) changes, in one run: two instances
# over the same database share the mix (each gets half the connections), first without Redis
# and then with a Redis of the benchmark's own (sessions and shared pages), and booking at 32
# clients without and with it; each figure comes with its hit rate or its ratio to pgbench.
#
# With BENCH_WHAT=booking it measures booking instead: `server bench-booking` drives the booking
# server function over HTTP with each client count of BENCH_CLIENTS (fresh patients' sessions,
# distinct free slots, a new request key per request) and checks the invariants afterwards, and
# pgbench's built-in TPC-B-like script runs on the same PostgreSQL with the same client count as
# the yardstick; the ratio of the two is printed.
#
# Settings (environment):
#   BENCH_WHAT=pages     or mix, booking, redis, all
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
# A second instance over the same database (BENCH_WHAT=redis), and the Redis both use.
peer_pid=""
peer_base=""
redis_pid=""
SERVER_REDIS_URL=""
started_cluster=""
cleanup() {
    local pid
    for pid in "$server_pid" "$peer_pid" "$redis_pid"; do
        if [ -n "$pid" ]; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
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

# free_port FROM: the first port from FROM on that nothing answers on.
free_port() {
    local candidate
    for candidate in $(seq "$1" $(($1 + 99))); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    die "no free port between $1 and $(($1 + 99)); set BENCH_PORT"
}
port="${BENCH_PORT:-$(free_port 3200)}"
base="http://127.0.0.1:$port"
log="$TARGET_DIR/bench-server.log"

# launch PORT CACHE_MS LOG: starts one instance (with SERVER_REDIS_URL when set) and prints its pid.
launch() {
    # The load comes from one address and a few accounts, far past any person's pace: rate
    # limits would measure themselves, so they are off for the benchmark (never in a deployment).
    LEPTOS_SITE_ADDR="127.0.0.1:$1" LEPTOS_SITE_ROOT="$REPO/target/site" RUST_LOG="${RUST_LOG:-warn}" \
        REDIS_URL="$SERVER_REDIS_URL" CLINIC_RATE_LIMITS=off CLINIC_PAGE_CACHE_MS="$2" \
        "$SERVER_BIN" serve >"$3" 2>&1 &
    echo $!
}

# wait_ready PID BASE LOG: until BASE answers /readyz.
wait_ready() {
    for _ in $(seq 1 120); do
        if curl -fsS -o /dev/null "$2/readyz" 2>/dev/null; then
            return
        fi
        if ! kill -0 "$1" 2>/dev/null; then
            tail -n 30 "$3" >&2
            die "the server stopped before answering /readyz"
        fi
        sleep 0.5
    done
    die "the server did not answer /readyz within 60 s"
}

# start_server CACHE_MS: serves the benchmark database with that page-cache lifetime.
start_server() {
    say "Starting the server on $base, page cache $1 ms${SERVER_REDIS_URL:+, with Redis} (log: $log)"
    server_pid="$(launch "$port" "$1" "$log")"
    wait_ready "$server_pid" "$base" "$log"
}

# start_peer CACHE_MS: a second instance over the same database, on another port.
start_peer() {
    local peer_port peer_log="$TARGET_DIR/bench-server-2.log"
    peer_port="$(free_port $((port + 1)))"
    peer_base="http://127.0.0.1:$peer_port"
    say "Starting a second instance on $peer_base (log: $peer_log)"
    peer_pid="$(launch "$peer_port" "$1" "$peer_log")"
    wait_ready "$peer_pid" "$peer_base" "$peer_log"
}

# start_redis: a Redis of the benchmark's own on a free port, keeping nothing on disk.
start_redis() {
    ensure_redis
    local redis_port
    redis_port="$(free_port 6400)"
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
    redis_pid=$!
    for _ in $(seq 1 50); do
        [ "$(redis-cli -p "$redis_port" PING 2>/dev/null)" = PONG ] && break
        sleep 0.1
    done
    [ "$(redis-cli -p "$redis_port" PING 2>/dev/null)" = PONG ] || die "redis-server did not start"
    SERVER_REDIS_URL="redis://127.0.0.1:$redis_port"
    say "Redis on port $redis_port"
}

# Stops the server as a deployment would (SIGTERM). One that has not exited 30 s later is
# hung: that is a bug worth failing the benchmark for.
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        local waited=0
        while kill -0 "$server_pid" 2>/dev/null && [ "$waited" -lt 300 ]; do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            kill -9 "$server_pid" 2>/dev/null || true
            server_pid=""
            die "the server had not stopped 30 s after SIGTERM (see $log)"
        fi
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
    if [ -n "$peer_pid" ]; then
        kill "$peer_pid" 2>/dev/null || true
        wait "$peer_pid" 2>/dev/null || true
        peer_pid=""
        peer_base=""
    fi
}

# CPU time used so far (clock ticks, user and system) by the server, and by every process of
# the private cluster (the postmaster's children are the connections' backends and its own
# workers). A measurement's difference over its requests is the CPU each request cost.
TICKS_PER_SECOND="$(getconf CLK_TCK)"
ticks_of() {
    local total=0 pid
    for pid in "$@"; do
        # Fields 14 and 15 of /proc/PID/stat; a process that ended meanwhile counts nothing.
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
server_ticks() { ticks_of "$server_pid"; }
postgres_ticks() {
    local postmaster
    postmaster="$(head -n 1 "$CLINIC_DATA_DIR/postgres/data/postmaster.pid" 2>/dev/null || true)"
    [ -n "$postmaster" ] || { echo 0; return; }
    # shellcheck disable=SC2046 # one word per pid
    ticks_of "$postmaster" $(pgrep -P "$postmaster" || true)
}
# per_request TICKS REQUESTS: microseconds of CPU per request.
per_request() { awk -v t="$1" -v n="$2" -v hz="$TICKS_PER_SECOND" 'BEGIN { printf "%.0f", (n > 0 ? t * 1000000 / hz / n : 0) }'; }

# Each figure with its target and whether this run met it ("at least" or "at most").
verdicts=()
# verdict NAME VALUE UNIT at-least|at-most TARGET
verdict() {
    local name=$1 value=$2 unit=$3 sense=$4 target=$5 met
    met="$(awk -v v="$value" -v t="$target" -v s="$sense" 'BEGIN { print ((s == "at-least" ? v >= t : v <= t) ? "met" : "NOT MET") }')"
    verdicts+=("$(printf '  %-44s %12s %-6s  target %s %s %s   %s' "$name" "$value" "$unit" "${sense/-/ }" "$target" "$unit" "$met")")
}
# wrk's p99 ("40.12ms", "1.02s", "900.00us") in milliseconds.
milliseconds() { awk -v t="$1" 'BEGIN { v = t + 0; if (t ~ /us$/) v /= 1000; else if (t ~ /ms$/) v += 0; else if (t ~ /s$/) v *= 1000; printf "%.1f", v }'; }

measure_booking() {
    local pgbench pgbench_url tps out rate latency ratio clients
    pgbench="$(command -v pgbench || compgen -G '/usr/lib/postgresql/*/bin/pgbench' | sort -V | tail -n 1 || true)"
    [ -n "$pgbench" ] || die "pgbench is missing: install the postgresql-contrib package"
    pgbench_url="$("$SERVER_BIN" local-db start --database clinic_pgbench --fresh)"
    say "Preparing pgbench (scale 10) in its own database"
    "$pgbench" -i -q -s 10 "$pgbench_url" >/dev/null 2>&1 || die "pgbench -i failed"
    local results=()
    for clients in ${BENCH_CLIENTS:-32 64 128}; do
        say "pgbench, $clients clients, ${BENCH_SECONDS}s"
        tps="$("$pgbench" -n -c "$clients" -j 2 -T "$BENCH_SECONDS" "$pgbench_url" 2>/dev/null \
            | awk '/^tps/ { print $3; exit }')"
        say "Booking over HTTP, $clients clients, ${BENCH_SECONDS}s"
        local server0 postgres0
        server0="$(server_ticks)"
        postgres0="$(postgres_ticks)"
        out="$("$SERVER_BIN" bench-booking --host "127.0.0.1:$port" --clients "$clients" --seconds "$BENCH_SECONDS")" \
            || { echo "$out"; die "the booking benchmark failed"; }
        local server_cpu postgres_cpu booked
        booked="$(awk '/confirmed,/ { print $5 + $7 }' <<<"$out")"
        server_cpu="$(per_request $(($(server_ticks) - server0)) "$booked")"
        postgres_cpu="$(per_request $(($(postgres_ticks) - postgres0)) "$booked")"
        echo "$out"
        rate="$(awk '/^bookings\/s/ { print $2 }' <<<"$out")"
        latency="$(awk '/^bookings\/s/ { print $4, $5, $6, $7, $8, $9 }' <<<"$out")"
        ratio="$(awk -v r="$rate" -v t="$tps" 'BEGIN { printf "%.2f", (t > 0 ? r / t : 0) }')"
        results+=("$(printf '%4s clients: %6s bookings/s (%s)   pgbench %8.0f tps   ratio %s   CPU per booking: server %s us, PostgreSQL %s us' \
            "$clients" "$rate" "$latency" "$tps" "$ratio" "$server_cpu" "$postgres_cpu")")
        if [ "$clients" = 32 ]; then
            verdict "booking / pgbench at 32 clients${BENCH_LABEL:+ ($BENCH_LABEL)}" "$ratio" "" at-least 0.5
        fi
        grep -qi 'invariants: all hold' <<<"$out" || verdicts+=("  INVARIANTS BROKEN after booking at $clients clients")
    done
    echo
    echo "Booking at scale $BENCH_SCALE, ${BENCH_SECONDS}s per run, $(nproc) CPUs (load generator and pgbench on the same machine;"
    echo "the sign-ins and top-ups before each run are in the CPU figures):"
    printf '%s\n' "${results[@]}"
}

measure_mix() {
    # The doctors visitors look at (the most reviewed first: bench-mix.lua favours them), and
    # a signed-in patient whose header asks who is signed in. The booking load signs in the
    # first patients; this one is the last.
    local mix_doctors patient cookie
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
    # With a second instance, each gets half the connections, at the same time.
    local bases=("$base")
    [ -n "$peer_base" ] && bases+=("$peer_base")
    local each=$((CONNECTIONS / ${#bases[@]}))
    # mix SECONDS: wrk against every instance at once; their outputs one after the other.
    mix() {
        local outs=() pids=() b i
        for b in "${bases[@]}"; do
            outs+=("$(mktemp)")
            wrk -t2 -c"$each" -d"$1s" --latency -s "$REPO/scripts/bench-mix.lua" "$b" >"${outs[-1]}" &
            pids+=("$!")
        done
        # Only the wrk runs: a bare `wait` would also wait for the benchmark's own Redis.
        wait "${pids[@]}"
        for i in "${!outs[@]}"; do
            cat "${outs[$i]}"
            rm -f "${outs[$i]}"
        done
    }
    # The instances' figures together: requests/s summed, the worst p99, the cache's answers summed.
    summary() {
        awk '
            /^Requests\/sec:/ { rps += $2 }
            $1 == "99%" { v = $2 + 0; if ($2 ~ /us$/) v /= 1000; else if ($2 ~ /[^m]s$/) v *= 1000; if (v > p99) p99 = v }
            /^cache:/ { hit += $2; stale += $4; shared += $6; miss += $8; pass += $10 }
            END {
                public = hit + stale + shared + miss
                printf "%10.0f req/s   p99 %7.1fms   cache: %d hit, %d stale, %d shared, %d miss, %d not cacheable; hit rate %.1f%%",
                    rps, p99, hit, stale, shared, miss, pass, (public > 0 ? (hit + stale + shared) * 100 / public : 0)
            }' <<<"$1"
    }
    say "Warming up for ${BENCH_WARMUP}s"
    mix "$BENCH_WARMUP" >/dev/null
    say "The mix alone, ${BENCH_SECONDS}s (the baseline)"
    local quiet busy bookings_out booking_pid bookings invariants
    quiet="$(mix "$BENCH_SECONDS")"
    say "The mix beside a stream of bookings (${BENCH_BOOKERS:-2} patients booking back to back)"
    bookings_out="$(mktemp)"
    "$SERVER_BIN" bench-booking --host "127.0.0.1:$port" --clients "${BENCH_BOOKERS:-2}" \
        --seconds "$BENCH_SECONDS" >"$bookings_out" 2>&1 &
    booking_pid=$!
    busy="$(mix "$BENCH_SECONDS")"
    wait "$booking_pid" || { cat "$bookings_out"; die "the booking load failed"; }
    bookings="$(awk '/^bookings\/s/ { print $2 }' "$bookings_out")"
    invariants="$(grep -i 'invariant' "$bookings_out" || true)"
    rm -f "$bookings_out"
    echo
    echo "Mixed load at scale $BENCH_SCALE: $CONNECTIONS connections of visitors (directory and doctors' pages) and"
    echo "signed-in people (${MIX_SIGNED_IN_SHARE} of requests: GET /api/me), ${BENCH_SECONDS}s each, $(nproc) CPUs, page cache $1 ms,"
    echo "${#bases[@]} instance(s)${SERVER_REDIS_URL:+ sharing Redis}:"
    echo "  alone (baseline):                $(summary "$quiet")"
    echo "  beside $bookings bookings/s:   $(summary "$busy")"
    [ -n "$invariants" ] && echo "  $invariants"
    grep -qi 'all hold' <<<"$invariants" || verdicts+=("  INVARIANTS BROKEN after the mix's bookings")
}

measure_pages() {
    # Filters that make sense for this data set: a common specialty, and the most reviewed
    # doctor (the heaviest doctor page).
    local specialty doctor
    specialty="$(sql "SELECT id FROM specialties ORDER BY lower(name) = 'general practice' DESC, id LIMIT 1")"
    doctor="$(sql "SELECT id FROM doctors WHERE is_active ORDER BY total_reviews DESC, id LIMIT 1")"
    [ -n "$specialty" ] && [ -n "$doctor" ] || die "the benchmark database has no specialties or doctors"

    # The sign-in page is the baseline: the same server, page shell and session, no data to
    # read. (Not the home page: it counts every specialty's doctors, which grows with the data.)
    local baseline="/sign-in"
    local paths=(
        "$baseline"
        "/doctors"
        "/doctors?q=$BENCH_QUERY"
        "/doctors?specialty=$specialty"
        "/doctors?sort=fee&max_fee=100&min_rating=4"
        "/doctors?within=3&sort=soonest"
        "/doctors/$doctor"
        # Week 8 of the same doctor's free times (seven weeks on). The data set has slots a
        # month ahead, so this is an empty week: its query, then the one finding the nearest.
        "/doctors/$doctor?week=$(date -u -d '+49 days' +%F)"
    )

    # A page that fails would measure the error page: check every one first.
    local path status
    for path in "${paths[@]}"; do
        status="$(curl -s -o /dev/null -w '%{http_code}' "$base$path" || true)"
        [ "$status" = 200 ] || die "$path answered $status, not 200 (see $log)"
    done

    say "Measuring each page for ${BENCH_SECONDS}s with $CONNECTIONS connections (after ${BENCH_WARMUP}s of warm-up)"
    local results=() out rps p50 p99 errors line requests server0 postgres0 server_cpu postgres_cpu
    for path in "${paths[@]}"; do
        wrk -t2 -c"$CONNECTIONS" -d"${BENCH_WARMUP}s" "$base$path" >/dev/null
        server0="$(server_ticks)"
        postgres0="$(postgres_ticks)"
        out="$(wrk -t2 -c"$CONNECTIONS" -d"${BENCH_SECONDS}s" --latency "$base$path")"
        requests="$(awk '/ requests in / { print $1 }' <<<"$out")"
        server_cpu="$(per_request $(($(server_ticks) - server0)) "$requests")"
        postgres_cpu="$(per_request $(($(postgres_ticks) - postgres0)) "$requests")"
        rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
        p50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
        p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
        # wrk counts error statuses and socket errors apart from the latency figures.
        errors="$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")"
        line="$(printf '%-44s %9s req/s  p50 %8s  p99 %8s  CPU/request: server %5s us, PostgreSQL %5s us' \
            "$path" "$rps" "$p50" "$p99" "$server_cpu" "$postgres_cpu")"
        if [ "$errors" != 0 ]; then
            line="$line   ($errors errors)"
        fi
        [ "$path" = "$baseline" ] && line="$line   (baseline)"
        echo "$line"
        results+=("$line")
        case "$path" in
            /sign-in) verdict "/sign-in" "$rps" "req/s" at-least 10000 ;;
            /doctors)
                verdict "/doctors" "$rps" "req/s" at-least 1500
                verdict "/doctors p99" "$(milliseconds "$p99")" "ms" at-most 40
                ;;
            "/doctors?q=$BENCH_QUERY") verdict "/doctors?q=$BENCH_QUERY" "$rps" "req/s" at-least 800 ;;
            "/doctors/$doctor") verdict "a doctor's page (/doctors/$doctor)" "$rps" "req/s" at-least 2000 ;;
        esac
    done

    echo
    echo "Scale $BENCH_SCALE ($expected_doctors doctors), ${BENCH_SECONDS}s per page, $CONNECTIONS connections, $(nproc) CPUs, page cache $1 ms"
    echo "(wrk runs on the same machine; its own CPU is in neither figure):"
    printf '%s\n' "${results[@]}"
}

# What a visitor's first page downloads of the bundle, as served (brotli 11, built once): the
# main WASM, its script and the split loader it imports. The pages split out of it (chunks) are
# fetched only when someone opens them; their total is printed beside.
measure_bundle() {
    local wasm js loader chunks
    wasm="$(stat -c %s "$REPO"/target/site/pkg/clinic*.wasm.br 2>/dev/null | head -n 1)"
    js="$(stat -c %s "$REPO"/target/site/pkg/clinic*.js.br 2>/dev/null | head -n 1)"
    loader="$(stat -c %s "$REPO"/target/site/pkg/__wasm_split*.js.br 2>/dev/null | head -n 1)"
    chunks="$(cat "$REPO"/target/site/pkg/{split,chunk}_*.wasm.br 2>/dev/null | wc -c)"
    [ -n "$wasm" ] && [ -n "$js" ] || die "no compressed bundle in target/site/pkg"
    echo
    echo "The browser bundle as served (brotli 11): WASM $wasm bytes, JS $js + ${loader:-0} bytes;" \
        "the pages split out of it: $chunks bytes"
    verdict "bundle a first visit downloads (WASM + JS)" "$(((wasm + js + ${loader:-0}) / 1000))" "KB" at-most 250
}

case "${BENCH_WHAT:-pages}" in
    pages)
        start_server "${CLINIC_PAGE_CACHE_MS:-30000}"
        measure_pages "${CLINIC_PAGE_CACHE_MS:-30000}"
        stop_server
        ;;
    mix)
        start_server "${CLINIC_PAGE_CACHE_MS:-30000}"
        measure_mix "${CLINIC_PAGE_CACHE_MS:-30000}"
        stop_server
        ;;
    booking)
        start_server "${CLINIC_PAGE_CACHE_MS:-30000}"
        measure_booking
        stop_server
        ;;
    redis)
        BENCH_CLIENTS="${BENCH_CLIENTS:-32}"
        for with_redis in "" 1; do
            if [ -n "$with_redis" ]; then
                start_redis
                echo
                say "WITH Redis (sessions and shared pages)"
                BENCH_LABEL="with Redis"
            else
                say "WITHOUT Redis (the baseline of this run)"
                BENCH_LABEL="without Redis"
            fi
            start_server 30000
            start_peer 30000
            measure_mix 30000
            stop_server
            start_server 30000
            measure_booking
            stop_server
        done
        ;;
    all)
        # The rendering targets are for pages rendered afresh; the mix is the cache's own test.
        start_server 0
        measure_pages 0
        stop_server
        start_server 30000
        measure_mix 30000
        stop_server
        BENCH_CLIENTS="${BENCH_CLIENTS:-32}"
        start_server 30000
        measure_booking
        stop_server
        measure_bundle
        ;;
    *) die "BENCH_WHAT must be pages, mix, booking, redis or all" ;;
esac

if [ "${#verdicts[@]}" -gt 0 ]; then
    echo
    echo "Targets (issue 14), this run:"
    printf '%s\n' "${verdicts[@]}"
fi

if [ "${BENCH_WHAT:-pages}" = pages ] || [ "${BENCH_WHAT:-pages}" = all ]; then
    echo
    if "$SERVER_BIN" explain-directory --help >/dev/null 2>&1; then
        say "Plans of the directory query (EXPLAIN ANALYZE, BUFFERS)"
        "$SERVER_BIN" explain-directory
    else
        say "Skipping the query plans: this server has no explain-directory command yet"
    fi
fi
