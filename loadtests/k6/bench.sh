#!/usr/bin/env bash
# One k6 script against a release hub, for docs/benchmarks.md: seeds USERS users into
# a new SQLite file, starts the hub on a free port of 127.0.0.1 (embedded, roomy hug
# and mood limits, RUST_LOG=warn but for the start line), runs the script for DURATION
# with VUS VUs (its thresholds enforced), and prints the machine, the k6 summary and
# the hub's CPU time and peak memory. Everything stops when the script ends.
#
#   cargo build --release -p hugmood
#   loadtests/k6/bench.sh                                  # rest-mixed.js, 60 s, 16 VUs
#   SCRIPT=graphql.js VUS=8 DURATION=30s loadtests/k6/bench.sh
#   SCRIPT=longpoll.js RECEIVERS=200 HUG_RATE=200 loadtests/k6/bench.sh
#
# The script's other settings (THINK_MS, P95_MS, ...) pass through the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

SCRIPT=${SCRIPT:-rest-mixed.js}
export VUS=${VUS:-16} DURATION=${DURATION:-60s}
USERS=${USERS:-1000}
HUB_BIN=${CARGO_TARGET_DIR:-target}/release/hugmood
export RUST_LOG=${RUST_LOG:-warn,hugmood=info}

info() { printf '    %s\n' "$*" >&2; }
die() {
    printf 'bench.sh: ERROR: %s\n' "$*" >&2
    exit 1
}

# shellcheck source=harness.sh
. loadtests/k6/harness.sh

[ -f "loadtests/k6/$SCRIPT" ] || die "no script loadtests/k6/$SCRIPT"
[ -x "$HUB_BIN" ] || die "no release build at $HUB_BIN; run: cargo build --release -p hugmood"
k6_install

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hugmood-k6-bench.XXXXXX")
cleanup() {
    hub_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hub_start "$HUB_BIN" "$WORK" "$USERS"

# CPU seconds (user + system) the hub has used so far.
hub_cpu_secs() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' \
        "/proc/$HUB_PID/stat"
}

printf 'machine: %s cores, %s; %s\n' "$(nproc)" \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" "$(uname -sr)"
printf 'hub: %s (commit %s), %s users; k6 %s\n' "$HUB_BIN" \
    "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$USERS" "$K6_VERSION"
printf 'run: %s, DURATION=%s, VUS=%s\n' "$SCRIPT" "$DURATION" "$VUS"

cpu_before=$(hub_cpu_secs)
rc=0
k6_run "$SCRIPT" || rc=$?
printf 'hub: %s CPU seconds during the run, peak RSS %s\n' \
    "$(awk -v a="$(hub_cpu_secs)" -v b="$cpu_before" 'BEGIN { printf "%.1f", a - b }')" \
    "$(awk '/VmHWM/ { print $2, $3 }' "/proc/$HUB_PID/status")"
exit "$rc"
