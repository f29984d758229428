#!/usr/bin/env bash
# The web app in a real browser: end-to-end tests in headless Chromium (the Debian
# package `chromium`), driven by playwright-core (pinned in web/tests/package-lock.json),
# against debug hubs of their own (each on a free loopback port with a temporary
# SQLite file; one is killed and started again on the same port and database).
# Screenshots land in web/tests/artifacts/ (git-ignored).
#
#   scripts/web-e2e.sh                      # install what is missing, build, run
#   scripts/web-e2e.sh --test-name-pattern=offline   # extra arguments go to node --test
#
# Needs Node.js 20 or later with npm. As root with apt-get, a missing Chromium is
# installed. Outside CI a missing Chromium or npm skips the tests with a warning;
# with CI=true it is an error.
#
# Environment:
#   CI=true            a missing Chromium, Node.js or npm is fatal
#   HUGMOOD_CHROMIUM   the browser (default /usr/bin/chromium)
#   CARGO_TARGET_DIR   as for scripts/test.sh
#   CARGO              cargo command (default: cargo)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CARGO=${CARGO:-cargo}
CHROMIUM=${HUGMOOD_CHROMIUM:-/usr/bin/chromium}
NODE_MAJOR_MIN=20
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${HOME:-/tmp}/.cache/hugmood-target}

info() { printf '    %s\n' "$*" >&2; }
warn() { printf 'web-e2e.sh: WARNING: %s\n' "$*" >&2; }
die() {
    printf 'web-e2e.sh: ERROR: %s\n' "$*" >&2
    exit 1
}

is_ci() {
    case ${CI:-} in
    [Tt][Rr][Uu][Ee] | 1 | [Yy][Ee][Ss]) return 0 ;;
    *) return 1 ;;
    esac
}

# Something the tests need is missing: fatal in CI, otherwise the tests are skipped.
missing() {
    if is_ci; then
        die "$1 (CI=${CI}: the browser tests must run)"
    fi
    warn "$1; skipping the browser tests"
    exit 0
}

# --- Chromium -----------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        info "no browser at $CHROMIUM; installing the Debian package chromium"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >&2 &&
            apt-get install -y -q --no-install-recommends chromium >&2 ||
            missing "could not install chromium"
    fi
    [ -x "$CHROMIUM" ] || missing "no Chromium at $CHROMIUM (install the Debian package chromium, or set HUGMOOD_CHROMIUM)"
fi
"$CHROMIUM" --version 2>/dev/null | head -n 1 >&2 || true

# --- Node.js and the pinned playwright-core -------------------------------------
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
    missing "Node.js ${NODE_MAJOR_MIN}+ with npm is needed"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge "$NODE_MAJOR_MIN" ] || missing "Node.js $(node --version) is too old (${NODE_MAJOR_MIN}+ needed)"
info "installing web/tests' packages from the lockfile (npm ci)"
(cd web/tests && npm ci --no-audit --no-fund --loglevel=error >&2)

# --- the hub --------------------------------------------------------------------
info "building the hub"
"$CARGO" build --quiet --bin hugmood >&2
export HUGMOOD_HUB_BIN=$CARGO_TARGET_DIR/debug/hugmood
export HUGMOOD_CHROMIUM=$CHROMIUM

# --- the tests --------------------------------------------------------------------
cd web/tests
rm -rf artifacts
node --test --test-concurrency=1 "$@" e2e/*.test.mjs
