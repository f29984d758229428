#!/usr/bin/env bash
# Runs the hub in embedded mode (SQLite file under ./data, in-process bus) on
# 127.0.0.1:8080. On a fresh Debian machine (as root) it first installs the C compiler
# the bundled SQLite needs. Extra arguments go to `hugmood serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cc >/dev/null 2>&1; then
    echo "installing a C compiler (build-essential)..." >&2
    apt-get update -qq && apt-get install -y -qq build-essential >&2
fi
exec cargo run --release --bin hugmood -- serve "$@"
