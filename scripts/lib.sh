# Shared by scripts/run.sh and scripts/test.sh: installs what is missing, once, and says clearly
# what it could not install. Source it; do not run it.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

# Versions the build depends on. wasm-bindgen's comes from Cargo.lock so the CLI always matches
# the library compiled into the bundle.
CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"

export PATH="$HOME/.cargo/bin:$REPO/scripts/node_modules/.bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
SERVER_BIN="$TARGET_DIR/release/server"

say() { printf '\033[1;36m==>\033[0m %s\n' "$*" >&2; }

# step NAME COMMAND...: runs COMMAND, then says how long NAME took (a fresh machine's first run
# is long; this says where the time went).
step() {
    local name=$1 started=$SECONDS
    shift
    "$@"
    say "$name: $((SECONDS - started)) s"
}
die() {
    printf '\033[1;31merror:\033[0m %s\n' "$*" >&2
    exit 1
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        return 1
    fi
}

APT_UPDATED=""
apt_install() {
    command -v apt-get >/dev/null 2>&1 ||
        die "$* is missing and this is not a Debian-like system: install $* with your package manager"
    say "Installing $* (apt)"
    if [ -z "$APT_UPDATED" ]; then
        as_root apt-get update -q >/dev/null || die "could not run apt-get update; install $* yourself (sudo apt-get install $*)"
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
        die "could not install $*; install it yourself: sudo apt-get install $*"
}

ensure_rust() {
    command -v cargo >/dev/null 2>&1 || die "cargo is missing: install the Rust toolchain from https://rustup.rs"
    if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
        say "Adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown || die "could not add the wasm32 target: run rustup target add wasm32-unknown-unknown"
    fi
}

# ensure_cargo_tool BINARY CRATE VERSION: installs CRATE@VERSION unless BINARY reports VERSION.
ensure_cargo_tool() {
    local binary=$1 crate=$2 version=$3
    if "$binary" --version 2>/dev/null | grep -qF "$version"; then
        return
    fi
    say "Installing $crate $version (cargo install; several minutes the first time)"
    # --debug: these tools run for seconds per build (the compiler does the work), and an
    # unoptimised build of them takes a fraction of the time an optimised one does.
    local started=$SECONDS
    cargo install --debug --locked --quiet "$crate" --version "$version" ||
        die "could not install $crate $version: run cargo install --locked $crate --version $version"
    say "Installed $crate $version in $((SECONDS - started)) s"
}

ensure_node() {
    if ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
}

# npm_install DIR: `npm ci` in DIR unless its node_modules already match package-lock.json.
npm_install() {
    local dir=$1 stamp="$1/node_modules/.clinic-lock"
    if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
        return
    fi
    say "Installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
    cp "$dir/package-lock.json" "$stamp"
}

ensure_build_tools() {
    ensure_rust
    ensure_cargo_tool cargo-leptos cargo-leptos "$CARGO_LEPTOS_VERSION"
    ensure_cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
    ensure_node
    npm_install scripts
    command -v wasm-opt >/dev/null 2>&1 || die "wasm-opt is missing after npm install in scripts/"
}

# PostgreSQL's server programs, needed only for the private cluster (DATABASE_URL unset).
ensure_postgres() {
    if [ -n "${DATABASE_URL:-}" ]; then
        return
    fi
    if command -v pg_ctl >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
        return
    fi
    apt_install postgresql
}

ensure_chromium() {
    [ -x /usr/bin/chromium ] || apt_install chromium
}

# Redis (Debian's redis-server, with redis-cli): the app never needs it, but the tests of
# REDIS_URL start their own on a loopback port.
ensure_redis() {
    if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
        return
    fi
    apt_install redis-server
}

# The cargo target folder outlives a run (CI keeps it between runs so unchanged dependencies are
# not rebuilt), and it only grows: every toolchain or dependency change leaves the old artifacts
# behind. A disk that fills up fails the build halfway, as CI once did with "No space left on
# device". So before building, make room when the disk runs low: first the incremental caches
# (rebuilt in seconds), then the debug build, then the whole folder; and say so.
CLINIC_MIN_FREE_GB="${CLINIC_MIN_FREE_GB:-12}"
free_gb() {
    mkdir -p "$TARGET_DIR"
    echo $(($(df --output=avail -k "$TARGET_DIR" | tail -1) / 1024 / 1024))
}
ensure_disk_space() {
    local free
    free="$(free_gb)"
    [ "$free" -ge "$CLINIC_MIN_FREE_GB" ] && return
    say "Only $free GB free beside $TARGET_DIR (the build and tests need about $CLINIC_MIN_FREE_GB GB); making room"
    find "$TARGET_DIR" -maxdepth 4 -type d -name incremental -prune -exec rm -rf {} +
    [ "$(free_gb)" -ge "$CLINIC_MIN_FREE_GB" ] && return
    rm -rf "$TARGET_DIR/debug" "$TARGET_DIR/nextest"
    [ "$(free_gb)" -ge "$CLINIC_MIN_FREE_GB" ] && return
    say "Removing the whole target folder $TARGET_DIR (everything is rebuilt)"
    rm -rf "${TARGET_DIR:?}"/* "$TARGET_DIR"/.clinic-release-fingerprint
    free="$(free_gb)"
    # Try anyway: the estimate is generous, and the build says clearly if the disk does fill up.
    [ "$free" -ge "$CLINIC_MIN_FREE_GB" ] ||
        say "warning: only $free GB free beside $TARGET_DIR after emptying it; the build and tests may need about $CLINIC_MIN_FREE_GB GB"
}

# A fingerprint of the sources: the commit, and every uncommitted or untracked change. Empty
# outside a git checkout (then we always build).
source_fingerprint() {
    git rev-parse --is-inside-work-tree >/dev/null 2>&1 || return 0
    {
        git rev-parse HEAD 2>/dev/null
        git status --porcelain
        git diff HEAD
        git ls-files --others --exclude-standard -z | xargs -0 -r sha256sum
    } | sha256sum | cut -d' ' -f1
}

# cargo-leptos re-runs wasm-bindgen and wasm-opt (tens of seconds) even when nothing changed;
# skip the whole build when the sources are exactly those of the last successful one.
build_release() {
    local stamp="$TARGET_DIR/.clinic-release-fingerprint" fingerprint
    fingerprint="$(source_fingerprint)"
    if [ -n "$fingerprint" ] && [ -x "$SERVER_BIN" ] && compgen -G "$REPO/target/site/pkg/clinic*.wasm.br" >/dev/null &&
        [ "$(cat "$stamp" 2>/dev/null)" = "$fingerprint" ]; then
        say "The release build is up to date"
        return
    fi
    say "Building the release (server and browser bundle)"
    # --split: the pages of app/src/pages/lazy.rs become chunks of their own (a bundle built
    # without it would ask for a loader file that does not exist).
    cargo leptos build --release --split
    say "Compressing the browser bundle (brotli 11 and gzip, once per build)"
    node "$REPO/scripts/precompress.mjs" "$REPO/target/site/pkg" "$TARGET_DIR/release/hash.txt" >&2 ||
        die "could not compress the browser bundle"
    [ -n "$fingerprint" ] && echo "$fingerprint" >"$stamp"
}

# Call before starting the private PostgreSQL: if it is not running yet, this script starts it,
# and so stops it again when it exits. (Not inside $(...): the trap must be the script's own.)
stop_local_db_on_exit() {
    "$SERVER_BIN" local-db status >/dev/null && return
    trap '"$SERVER_BIN" local-db stop || true' EXIT
}

# run_browser_tests [PLAYWRIGHT ARGUMENTS]: the Playwright journeys in Chromium against the release
# build on E2E_DATABASE_URL, then the search of the server's log for every password, one-time
# code, session id and card number the suite used (it writes them down as it uses them).
run_browser_tests() {
    say "Playwright (Chromium)"
    local server_log="$REPO/.local/e2e-server.log"
    if ! (cd "$REPO/end2end" && CLINIC_SERVER_BIN="$SERVER_BIN" E2E_SERVER_LOG="$server_log" npx playwright test "$@"); then
        say "The server's log of the run: $server_log; the report: end2end/playwright-report/index.html"
        return 1
    fi
    say "Searching the server's log for the secrets the suite used"
    node "$REPO/scripts/scan-logs.mjs" "$REPO/end2end/test-results/secrets-used.txt" "$server_log"
}
