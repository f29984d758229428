#!/usr/bin/env bash
# Password guessing against one embedded hub: `hugmood-loadgen login-flood` sends
# wrong-password logins from CLIENTS connections at once for DURATION, while
# `hugmood-loadgen hugs` has a legitimate user send RATE hugs/s to a friend's open
# stream. Prints both reports: the flood's answers and the hub's peak RSS, the hugs'
# POST→frame latency and loss.
#
#   loadtests/login-flood/bench.sh             # default limits (10 logins/min per address)
#   LOGIN_RATE=1000000 loadtests/login-flood/bench.sh   # every guess reaches a hash
#
# Everything listens on 127.0.0.1 and stops when the script ends. Needs a release build:
#   cargo build --release -p hugmood -p hugmood-loadgen
set -euo pipefail
cd "$(dirname "$0")/../.."

CLIENTS=${CLIENTS:-200}
DURATION=${DURATION:-30s}
RATE=${RATE:-20}
LOGIN_RATE=${LOGIN_RATE:-10}
PORT=${PORT:-18090}
TARGET=${CARGO_TARGET_DIR:-target}/release
WORK=$(mktemp -d)
HUB_PID=
cleanup() {
    [ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

export HUGMOOD_BIND=127.0.0.1:$PORT HUGMOOD_DATABASE_URL=sqlite://$WORK/hub.db \
    HUGMOOD_HUG_RATE_PER_MINUTE=1000000 HUGMOOD_LOGIN_RATE_PER_MINUTE=$LOGIN_RATE \
    RUST_LOG=error
"$TARGET/hugmood" seed --users 2 --friends 1 --moods 0 --hugs 0 \
    --tokens-out "$WORK/tokens" --token-ttl 3600 >"$WORK/seed.log" 2>&1
"$TARGET/hugmood" serve >"$WORK/hub.log" 2>&1 &
HUB_PID=$!
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
echo "hub pid $HUB_PID, RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$HUB_PID/status) before" >&2

"$TARGET/hugmood-loadgen" login-flood --url "http://127.0.0.1:$PORT" \
    --concurrency "$CLIENTS" --duration "$DURATION" --login demo_1 \
    --hub-pid "$HUB_PID" --json >"$WORK/flood.json" &
FLOOD=$!
sleep 2 # the flood is at full strength before the hugs start
"$TARGET/hugmood-loadgen" hugs --url "http://127.0.0.1:$PORT" --tokens "$WORK/tokens" \
    --recipients 1 --senders 1 --rate "$RATE" --concurrency 4 \
    --duration "$(( ${DURATION%s} - 4 ))s" --in-process --quiet --json >"$WORK/hugs.json"
wait "$FLOOD"
echo "login-flood: $(cat "$WORK/flood.json")"
echo "hugs: $(cat "$WORK/hugs.json")"
