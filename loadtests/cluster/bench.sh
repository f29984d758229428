#!/usr/bin/env bash
# Benchmark of a two-node cluster on this machine: a throwaway PostgreSQL (durable
# settings: fsync and synchronous_commit on) and Redis, two release hub nodes, seeded
# users, then `hugmood-loadgen hugs` runs. Reports the load generator's figures and
# the CPU seconds Redis, PostgreSQL and each node spent during each run.
#
#   loadtests/cluster/bench.sh cross 1000 30s   # POSTs on node 1, streams on node 2
#   loadtests/cluster/bench.sh same 1000 30s    # POSTs and streams on node 1 (no Redis hop)
#   loadtests/cluster/bench.sh both 5000 30s    # POSTs and streams spread over both
#
# Everything listens on 127.0.0.1 and stops when the script ends. Needs root (the
# PostgreSQL server runs as the postgres user), redis-server, and a release build:
#   cargo build --release -p hugmood -p hugmood-loadgen
set -euo pipefail
cd "$(dirname "$0")/../.."

MODE=${1:-cross}
RATE=${2:-1000}
DURATION=${3:-30s}
USERS=${USERS:-20000}
RECIPIENTS=${RECIPIENTS:-1000}
TARGET=${CARGO_TARGET_DIR:-target}/release
PG_PORT=${PG_PORT:-57432}
REDIS_PORT=${REDIS_PORT:-57379}
NODE1=${NODE1:-18081}
NODE2=${NODE2:-18082}
WORK=$(mktemp -d)
chmod 0755 "$WORK" # the PostgreSQL server (another user) keeps its data under it
PIDS=()

log() { printf 'bench: %s\n' "$*" >&2; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${PG_BIN:-}" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# CPU seconds (user + system) of the processes listed.
cpu_sum() {
    local total=0 pid ticks
    for pid in "$@"; do
        ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
        total=$((total + ticks))
    done
    awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
# ... of processes whose command line matches $1.
cpu_of() {
    # shellcheck disable=SC2046
    cpu_sum $(pgrep -f "$1" || true)
}
# ... of the PostgreSQL server: the postmaster and its backends.
cpu_of_pg() {
    local postmaster
    postmaster=$(head -n1 "$WORK/pg/data/postmaster.pid")
    # shellcheck disable=SC2046
    cpu_sum "$postmaster" $(pgrep -P "$postmaster" || true)
}

log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
URL=$(HUGMOOD_PG_DIR="$WORK/pg" HUGMOOD_PG_PORT=$PG_PORT bash scripts/start-postgres.sh)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
PORT=${URL##*:}; PORT=${PORT%%/*}
# The test server is tuned for speed; a benchmark of a cluster store wants durability.
for setting in "fsync = on" "synchronous_commit = on" "full_page_writes = on" "max_connections = 200"; do
    echo "$setting" | runuser -u postgres -- tee -a "$WORK/pg/data/postgresql.conf" >/dev/null
done
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -w restart -o "-p $PORT" -l "$WORK/pg/postgres.log" >/dev/null

log "starting Redis on 127.0.0.1:$REDIS_PORT"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --loglevel warning >"$WORK/redis.log" &
PIDS+=($!)

export HUGMOOD_DATABASE_URL=$URL
export HUGMOOD_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export HUGMOOD_JWT_SECRET=bench-secret-of-at-least-thirty-two-bytes
export HUGMOOD_HUG_RATE_PER_MINUTE=1000000
export RUST_LOG=warn

log "seeding $USERS users"
"$TARGET/hugmood" migrate >/dev/null
"$TARGET/hugmood" seed --users "$USERS" --friends 0 --moods 0 --hugs 0 --tokens-out "$WORK/tokens.txt" >/dev/null

NODE_PIDS=()
for port in $NODE1 $NODE2; do
    HUGMOOD_BIND=127.0.0.1:$port "$TARGET/hugmood" serve >"$WORK/node-$port.log" 2>&1 &
    PIDS+=($!)
    NODE_PIDS+=($!)
done
for port in $NODE1 $NODE2; do
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
        sleep 0.2
    done
done

case $MODE in
cross) SEND=http://127.0.0.1:$NODE1 STREAM=http://127.0.0.1:$NODE2 ;;
same) SEND=http://127.0.0.1:$NODE1 STREAM=$SEND ;;
both) SEND=http://127.0.0.1:$NODE1,http://127.0.0.1:$NODE2 STREAM=$SEND ;;
*) log "mode must be cross, same or both"; exit 2 ;;
esac

redis_stat() { redis-cli -p "$REDIS_PORT" INFO stats | tr -d '\r' | sed -n "s/^$1://p"; }
pg_wal() { psql "$URL" -Atc "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"; }
pg_commits() { psql "$URL" -Atc "SELECT sum(xact_commit) FROM pg_stat_database"; }
before_in=$(redis_stat total_net_input_bytes)
before_cmds=$(redis_stat total_commands_processed)
before_wal=$(pg_wal)
before_commits=$(pg_commits)
before_redis=$(cpu_of "redis-server.*$REDIS_PORT")
before_pg=$(cpu_of_pg)
before_n1=$(cpu_sum "${NODE_PIDS[@]}")
start=$SECONDS
"$TARGET/hugmood-loadgen" hugs --url "$SEND" --stream-url "$STREAM" --tokens "$WORK/tokens.txt" \
    --recipients "$RECIPIENTS" --processes 2 --source-ips 127.0.0.2-127.0.0.9 \
    --rate "$RATE" --duration "$DURATION" --concurrency "${CONCURRENCY:-64}"
elapsed=$((SECONDS - start))
for log in "$WORK"/node-*.log "$WORK/redis.log"; do
    grep -iE "warn|error|lost|closed" "$log" | head -n 5 | sed "s|^|$(basename "$log"): |" >&2 || true
done
# Each node's delivery histogram and bus counters, for a look at where time went.
for port in $NODE1 $NODE2; do
    curl -fs "http://127.0.0.1:$port/metrics" |
        grep -E '^hugmood_(event_delivery_seconds_bucket|bus_messages_total|events_delivered_total)' |
        sed "s/^/node $port: /" >&2 || true
done
after_redis=$(cpu_of "redis-server.*$REDIS_PORT")
after_pg=$(cpu_of_pg)
after_n1=$(cpu_sum "${NODE_PIDS[@]}")
after_in=$(redis_stat total_net_input_bytes)
after_cmds=$(redis_stat total_commands_processed)
after_wal=$(pg_wal)
after_commits=$(pg_commits)
echo "redis: $((after_cmds - before_cmds)) commands, $((after_in - before_in)) bytes in; postgresql: $((after_commits - before_commits)) commits, $((after_wal - before_wal)) WAL bytes"
awk -v r0="$before_redis" -v r1="$after_redis" -v p0="$before_pg" -v p1="$after_pg" \
    -v h0="$before_n1" -v h1="$after_n1" -v s="$elapsed" 'BEGIN {
    printf "cpu seconds over %d s: redis %.2f, postgresql %.2f, both hub nodes %.2f\n", s, r1 - r0, p1 - p0, h1 - h0
}'
