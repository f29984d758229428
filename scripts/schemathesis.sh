#!/usr/bin/env bash
# Check that the served OpenAPI document is exact: schemathesis generates requests
# from GET /api/v1/openapi.json (valid ones and invalid ones) and runs all its checks
# against a real hub: documented status codes, headers and response schemas, valid
# input accepted, invalid input refused, authentication enforced, created resources
# readable, deleted ones gone. Exits non-zero on any failure.
#
#   scripts/schemathesis.sh                     # build the hub, run, stop it
#   HUGMOOD_ST_EXAMPLES=200 scripts/schemathesis.sh
#
# What the run covers: every operation but the endless SSE stream
# (GET /api/v1/sse/stream; GraphQL is not in the document). Logout and account
# deletion are covered too: each such call is made with a token of its own, from
# users seeded before the start, so the run's session outlives them (see
# scripts/schemathesis/hooks.py, which also lists the few rules no schema can state
# and how generated cases respect them, and scripts/schemathesis/schemathesis.toml).
#
# Environment:
#   HUGMOOD_ST_EXAMPLES   test cases per operation and phase (default 30)
#   HUGMOOD_ST_VENV       where schemathesis is installed (default under ~/.cache)
#   CARGO_TARGET_DIR      as for scripts/test.sh
#   CARGO                 cargo command (default: cargo)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

SCHEMATHESIS_VERSION=4.32.5
CARGO=${CARGO:-cargo}
EXAMPLES=${HUGMOOD_ST_EXAMPLES:-30}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${HOME:-/tmp}/.cache/hugmood-target}
VENV=${HUGMOOD_ST_VENV:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/hugmood-schemathesis-$SCHEMATHESIS_VERSION}

info() { printf '    %s\n' "$*" >&2; }
die() {
    printf 'schemathesis.sh: ERROR: %s\n' "$*" >&2
    exit 1
}

# --- schemathesis, pinned, in its own virtual environment ----------------------
# shellcheck source=pip-tool.sh
. scripts/pip-tool.sh

install_schemathesis() {
    if [ -x "$VENV/bin/schemathesis" ] &&
        [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
        return 0
    fi
    pip_tool_install "$VENV" "schemathesis==$SCHEMATHESIS_VERSION"
}

install_schemathesis
command -v curl >/dev/null 2>&1 || die "curl is needed"

# --- a hub of its own -----------------------------------------------------------
info "building the hub"
"$CARGO" build --quiet --bin hugmood >&2
HUB_BIN=$CARGO_TARGET_DIR/debug/hugmood

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hugmood-schemathesis.XXXXXX")
# shellcheck source=hub-process.sh
. scripts/hub-process.sh
cleanup() {
    hub_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HUGMOOD_DATABASE_URL="sqlite://$WORK/hub.db"
export HUGMOOD_BIND=127.0.0.1:0
export HUGMOOD_LOG_FORMAT=json
export RUST_LOG=${RUST_LOG:-warn,hugmood=info,hugmood_api=info}

# Users whose tokens the session-ending calls get, one each (see hooks.py).
hub_run "$HUB_BIN" seed --users 2000 --prefix pool --tokens-out "$WORK/pool.txt" >"$WORK/seed.log" 2>&1 ||
    { cat "$WORK/seed.log" >&2; die "seeding failed"; }

hub_serve "$HUB_BIN" "$WORK/hub.log"
BASE=$BASE_URL
info "hub on $BASE"

# The run's user.
REGISTERED=$(curl -sS --fail-with-body -X POST "$BASE/api/v1/auth/register" \
    -H 'Content-Type: application/json' \
    -d '{"username":"schemathesis","email":"schemathesis@example.com","password":"correct-horse-battery"}') ||
    die "cannot register the run's user: $REGISTERED"
registered() { "$VENV/bin/python" -c "import json, sys; d = json.load(sys.stdin); print($1)" <<<"$REGISTERED"; }
export HUGMOOD_ST_TOKEN HUGMOOD_ST_USER_ID
HUGMOOD_ST_TOKEN=$(registered 'd["accessToken"]')
HUGMOOD_ST_USER_ID=$(registered 'd["user"]["id"]')
export HUGMOOD_ST_TOKEN_POOL=$WORK/pool.txt
export SCHEMATHESIS_HOOKS=$ROOT/scripts/schemathesis/hooks.py

# --- the run --------------------------------------------------------------------
# Every check is enabled in schemathesis.toml (the `--checks all` of the command line
# would override the one per-operation exception there).
# From the work directory, so nothing schemathesis or hypothesis writes lands in the
# repository.
rc=0
(
    cd "$WORK"
    "$VENV/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis/schemathesis.toml" run \
        --exclude-path /api/v1/sse/stream \
        --max-examples "$EXAMPLES" \
        --no-color \
        "$BASE/api/v1/openapi.json"
) || rc=$?

if [ "$rc" -ne 0 ]; then
    printf '\nschemathesis.sh: the OpenAPI document and the hub disagree (exit code %s); the hub log ends:\n' "$rc" >&2
    tail -n 20 "$WORK/hub.log" >&2
fi
exit "$rc"
