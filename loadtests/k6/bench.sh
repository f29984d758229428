#!/usr/bin/env bash
# One k6 script against a release hub, for docs/benchmarks.md: seeds USERS users into
# a new SQLite file, starts the hub on a free port of 127.0.0.1 (embedded, roomy hug
# and mood limits, RUST_LOG=warn but for the start line), runs the script for DURATION
# with VUS VUs (its thresholds enforced), and prints the machine, the k6 summary, the
# CPU time of the hub and of k6, and the hub's peak memory. Everything stops when the
# script ends.
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

# CPU seconds (user + system) of process $1 so far: its own (fields 14-15 of
# /proc/PID/stat) or, with "children", those of its children it has waited for (16-17).
cpu_secs() {
    awk -v hz="$(getconf CLK_TCK)" -v which="${2:-self}" '{
        sub(/^.*\) /, "")
        printf "%.1f", (which == "children" ? $14 + $15 : $12 + $13) / hz
    }' "/proc/$1/stat"
}

printf 'machine: %s cores, %s; %s\n' "$(nproc)" \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" "$(uname -sr)"
printf 'hub: %s (commit %s), %s users; k6 %s\n' "$HUB_BIN" \
    "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$USERS" "$K6_VERSION"
printf 'run: %s, DURATION=%s, VUS=%s\n' "$SCRIPT" "$DURATION" "$VUS"

minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
hub_before=$(cpu_secs "$HUB_PID")
k6_before=$(cpu_secs $$ children)
rc=0
k6_run "$SCRIPT" || rc=$?
printf 'hub: %s CPU seconds during the run, peak RSS %s; k6: %s CPU seconds\n' \
    "$(minus "$(cpu_secs "$HUB_PID")" "$hub_before")" \
    "$(awk '/VmHWM/ { print $2, $3 }' "/proc/$HUB_PID/status")" \
    "$(minus "$(cpu_secs $$ children)" "$k6_before")"
exit "$rc"
