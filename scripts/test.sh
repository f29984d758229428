#!/usr/bin/env bash
# Run the whole test suite: formatting, lints, every test of the workspace, then
# schemathesis over the served OpenAPI document (scripts/schemathesis.sh), a short
# run of each k6 load script with its thresholds (scripts/k6-smoke.sh) and the web
# app's end-to-end tests in headless Chromium (scripts/web-e2e.sh).
#
# Works on a fresh Debian machine as root: it installs and starts the services the
# tests need (a throwaway PostgreSQL and Redis on non-standard local ports).
#
#   scripts/test.sh                   # everything
#   scripts/test.sh -- --nocapture    # extra arguments go to `cargo test`
#   scripts/test.sh store::           # ... e.g. a test name filter
#
# Environment:
#   CI=true                     missing services are fatal (default: warn and go on;
#                               the tests then skip or fail by their own rules)
#   CARGO_TARGET_DIR            default $HOME/.cache/hugmood-target, so repeated runs
#                               are incremental
#   HUGMOOD_TEST_POSTGRES_URL   use this PostgreSQL instead of starting one
#   HUGMOOD_TEST_REDIS_URL      use this Redis instead of starting one
#   HUGMOOD_KEEP_SERVICES=1     leave the PostgreSQL and Redis this run started running
#                               at the end (default: stop them, whether the run passed
#                               or failed; a server that was already running, or one
#                               given by the two variables above, is never stopped)
#   CARGO                       cargo command (default: cargo)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CARGO=${CARGO:-cargo}
REDIS_PORT=56379
REDIS_DIR=${HUGMOOD_REDIS_DIR:-/tmp/hugmood-redis}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${HOME:-/tmp}/.cache/hugmood-target}
export RUST_BACKTRACE=${RUST_BACKTRACE:-1}

START_TIME=$SECONDS
PG_DIR=${HUGMOOD_PG_DIR:-/tmp/hugmood-pg}
# What this run started, and so stops at its end (see stop_services).
STARTED_POSTGRES=
STARTED_REDIS=

section() { printf '\n==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
warn() { printf 'test.sh: WARNING: %s\n' "$*" >&2; }
die() {
    printf 'test.sh: ERROR: %s\n' "$*" >&2
    exit 1
}

is_ci() {
    case ${CI:-} in
    [Tt][Rr][Uu][Ee] | 1 | [Yy][Ee][Ss]) return 0 ;;
    *) return 1 ;;
    esac
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# A service the tests need could not be provided: fatal in CI, a warning otherwise.
service_failed() {
    if is_ci; then
        die "$1 (CI=${CI}: refusing to run the tests without it)"
    fi
    warn "$1; continuing, tests that need it will skip or fail"
}

APT_UPDATED=
apt_install() {
    is_root || {
        warn "cannot install $* (not root)"
        return 1
    }
    command -v apt-get >/dev/null 2>&1 || {
        warn "cannot install $* (no apt-get)"
        return 1
    }
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$APT_UPDATED" ]; then
        apt-get update -q >&2 || return 1
        APT_UPDATED=1
    fi
    apt-get install -y -q --no-install-recommends "$@" >&2
}

# --- toolchain ---------------------------------------------------------------
ensure_toolchain() {
    section "Toolchain"
    if ! command -v "$CARGO" >/dev/null 2>&1 && [ -x "${HOME:-/nonexistent}/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    command -v "$CARGO" >/dev/null 2>&1 ||
        die "'$CARGO' not found: install a Rust toolchain with rustup (Rust >= 1.85, with the rustfmt and clippy components)"
    # Linker and C compiler (the bundled SQLite is compiled from C).
    if ! command -v cc >/dev/null 2>&1; then
        info "no C compiler found; installing gcc"
        apt_install gcc libc6-dev || die "a C compiler (cc) is required; install gcc"
    fi
    # The README walk-through test drives the hub with curl.
    if ! command -v curl >/dev/null 2>&1; then
        info "curl not found; installing it"
        apt_install curl || die "curl is required by the README walk-through test"
    fi
    local component
    for component in fmt clippy; do
        if ! "$CARGO" "$component" --version >/dev/null 2>&1; then
            command -v rustup >/dev/null 2>&1 ||
                die "'cargo $component' is missing; install the rustfmt/clippy components of your toolchain"
            info "installing the missing component for 'cargo $component'"
            if [ "$component" = fmt ]; then
                rustup component add rustfmt >&2
            else
                rustup component add clippy >&2
            fi
        fi
    done
    "$CARGO" --version >&2 || true
    info "CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
}

# --- PostgreSQL ---------------------------------------------------------------
ensure_postgres() {
    section "PostgreSQL"
    if [ -n "${HUGMOOD_TEST_POSTGRES_URL:-}" ]; then
        info "using HUGMOOD_TEST_POSTGRES_URL from the environment"
        return 0
    fi
    local url before
    before=$(postmaster_pid)
    if url=$(bash scripts/start-postgres.sh) && [ -n "$url" ]; then
        export HUGMOOD_TEST_POSTGRES_URL=$url
        info "HUGMOOD_TEST_POSTGRES_URL=$url"
        # start-postgres.sh reuses a server that is up: only a new one is ours.
        if [ "$(postmaster_pid)" != "$before" ]; then
            STARTED_POSTGRES=1
        fi
    else
        service_failed "could not start PostgreSQL (see the messages above)"
    fi
}

# The pid of the PostgreSQL server running in $PG_DIR/data, or nothing.
postmaster_pid() {
    local pid
    pid=$(sed -n '1p' "$PG_DIR/data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        printf '%s' "$pid"
    fi
}

stop_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1) || true
    [ -n "$bin" ] || return 0
    if is_root; then
        (cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop) >&2
    else
        "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >&2
    fi
}

# --- Redis --------------------------------------------------------------------
redis_ping() {
    # PING over bash's built-in TCP, so no redis-cli is needed.
    local reply
    reply=$(
        exec 2>/dev/null
        exec 5<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 1
        printf 'PING\r\n' >&5
        IFS= read -r -t 2 line <&5 || exit 1
        printf '%s' "$line"
    ) || return 1
    [ "${reply%$'\r'}" = "+PONG" ]
}

ensure_redis() {
    section "Redis"
    if [ -n "${HUGMOOD_TEST_REDIS_URL:-}" ]; then
        info "using HUGMOOD_TEST_REDIS_URL from the environment"
        return 0
    fi
    if ! redis_ping; then
        if ! command -v redis-server >/dev/null 2>&1; then
            info "redis-server not found; installing it"
            apt_install redis-server || {
                service_failed "could not install redis-server"
                return 0
            }
        fi
        mkdir -p "$REDIS_DIR"
        info "starting redis-server on 127.0.0.1:$REDIS_PORT (log: $REDIS_DIR/redis.log)"
        rm -f "$REDIS_DIR/redis.pid"
        redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
            --daemonize yes --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" \
            --pidfile "$REDIS_DIR/redis.pid" >&2 && STARTED_REDIS=1 || true
        local _
        for _ in $(seq 1 50); do
            redis_ping && break
            sleep 0.2
        done
        if ! redis_ping; then
            tail -n 20 "$REDIS_DIR/redis.log" >&2 2>/dev/null || true
            service_failed "could not start redis-server on 127.0.0.1:$REDIS_PORT"
            return 0
        fi
    else
        info "reusing the Redis already answering on 127.0.0.1:$REDIS_PORT"
    fi
    export HUGMOOD_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
    info "HUGMOOD_TEST_REDIS_URL=$HUGMOOD_TEST_REDIS_URL"
}

# --- stopping what this run started ---------------------------------------------
stop_services() {
    local rc=$?
    if [ -n "${HUGMOOD_KEEP_SERVICES:-}" ] && [ "$HUGMOOD_KEEP_SERVICES" != 0 ]; then
        [ -z "$STARTED_POSTGRES$STARTED_REDIS" ] ||
            info "HUGMOOD_KEEP_SERVICES is set: leaving the started PostgreSQL and Redis running"
        return "$rc"
    fi
    if [ -n "$STARTED_REDIS" ]; then
        local pid
        pid=$(cat "$REDIS_DIR/redis.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
            info "stopped the redis-server this run started (pid $pid)"
        fi
    fi
    if [ -n "$STARTED_POSTGRES" ]; then
        stop_postgres && info "stopped the PostgreSQL this run started ($PG_DIR/data)" ||
            warn "could not stop the PostgreSQL in $PG_DIR/data"
    fi
    return "$rc"
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- promtool (the alert rules' checks in tests/dashboards.rs) ----------------
ensure_promtool() {
    section "promtool"
    if ! command -v promtool >/dev/null 2>&1; then
        info "promtool not found; installing the prometheus package (promtool only is used)"
        # policy-rc.d in containers keeps the package's service from starting; elsewhere
        # it is stopped at once, so nothing listens because of this step.
        apt_install prometheus || {
            service_failed "could not install promtool (Debian package prometheus)"
            return 0
        }
        if command -v systemctl >/dev/null 2>&1; then
            systemctl stop prometheus >/dev/null 2>&1 || true
        fi
    fi
    promtool --version 2>&1 | head -n 1 >&2 || true
}

# --- steps --------------------------------------------------------------------
run_step() {
    local name=$1 rc=0
    shift
    section "$name"
    info "\$ $*"
    "$@" || rc=$?
    if [ "$rc" -ne 0 ]; then
        printf '\ntest.sh: FAILED: %s (exit code %s)\n' "$name" "$rc" >&2
        exit "$rc"
    fi
}

ensure_toolchain
ensure_postgres
ensure_redis
ensure_promtool

run_step "Formatting (cargo fmt --check)" "$CARGO" fmt --all -- --check
run_step "Lints (cargo clippy)" "$CARGO" clippy --workspace --all-targets -- -D warnings
run_step "Tests (cargo test)" "$CARGO" test --workspace "$@"
# A filter or cargo arguments ask for part of the suite; CI and a bare run get it all.
if [ "$#" -eq 0 ] || is_ci; then
    run_step "OpenAPI document against a live hub (schemathesis)" bash scripts/schemathesis.sh
    run_step "k6 load scripts against a live hub (smoke)" bash scripts/k6-smoke.sh
    run_step "The web app in headless Chromium (end-to-end)" bash scripts/web-e2e.sh
else
    section "OpenAPI document against a live hub (schemathesis), k6 load scripts (smoke), web app (Chromium)"
    info "not run: arguments were given; run scripts/schemathesis.sh, scripts/k6-smoke.sh and scripts/web-e2e.sh for them"
fi

section "All checks passed in $((SECONDS - START_TIME))s"
