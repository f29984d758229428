#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL server for the test suite.
#
# Meant for a fresh Debian machine running as root (CI), but also works as an
# ordinary user when the PostgreSQL binaries are already installed.
#
#   url=$(scripts/start-postgres.sh)   # -> postgres://postgres@127.0.0.1:55432/postgres
#
# Prints exactly one line on stdout: the connection URL. Everything else goes to
# stderr. Running it again reuses the server if it is still up.
#
# Environment:
#   HUGMOOD_PG_DIR    state directory (default /tmp/hugmood-pg); the cluster lives
#                     in $HUGMOOD_PG_DIR/data, the server log in $HUGMOOD_PG_DIR/postgres.log
#   HUGMOOD_PG_PORT   first port to try (default 55432); later ports are tried if taken
#
# The server is tuned for speed, not durability (fsync=off etc.): never point it
# at data you care about. Stop it with:
#   runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/pg_ctl" -D /tmp/hugmood-pg/data stop
set -euo pipefail

# Keep stdout for the URL only; everything else (including child processes) -> stderr.
# fd 3 (and the lock on fd 9) must not leak into long-lived children such as the
# server itself, or `url=$(start-postgres.sh)` would never see end-of-file: every
# external command that may start a daemon is run with `3>&- 9>&-`.
exec 3>&1 1>&2

PG_DIR=${HUGMOOD_PG_DIR:-/tmp/hugmood-pg}
FIRST_PORT=${HUGMOOD_PG_PORT:-55432}
PORT_TRIES=20
PG_USER=postgres

log() { printf 'start-postgres: %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

case $FIRST_PORT in
'' | *[!0-9]*) die "HUGMOOD_PG_PORT must be a port number, got '$FIRST_PORT'" ;;
esac

is_root() { [ "$(id -u)" -eq 0 ]; }

# --- locate (or install) the PostgreSQL server binaries -----------------------
find_pg_bin() {
    local d best=''
    # Highest major version wins (sort -V handles 9.6 < 15 < 16).
    best=$(
        for d in /usr/lib/postgresql/*/bin; do
            [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && printf '%s\n' "$d"
        done | sort -V | tail -n 1
    ) || true
    printf '%s' "$best"
}

PG_BIN=$(find_pg_bin)
if [ -z "$PG_BIN" ]; then
    is_root || die "no PostgreSQL found under /usr/lib/postgresql and not root; install the 'postgresql' package"
    log "PostgreSQL not found; installing it with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q 3>&- || die "apt-get update failed"
    apt-get install -y -q --no-install-recommends postgresql 3>&- ||
        die "apt-get install postgresql failed"
    PG_BIN=$(find_pg_bin)
    [ -n "$PG_BIN" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/pg_ctl found"
fi
PG_MAJOR=$(basename "$(dirname "$PG_BIN")")
log "using PostgreSQL $PG_MAJOR from $PG_BIN"

# --- run commands as the postgres user (PostgreSQL refuses to run as root) ----
if is_root; then
    if ! id -u "$PG_USER" >/dev/null 2>&1; then
        log "creating system user $PG_USER"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$PG_USER" || die "useradd $PG_USER failed"
    fi
    if command -v runuser >/dev/null 2>&1; then
        as_pg() { (cd / && runuser -u "$PG_USER" -- "$@" 3>&- 9>&-); }
    else
        as_pg() {
            local cmd
            cmd=$(printf '%q ' "$@")
            (cd / && su "$PG_USER" -s /bin/sh -c "$cmd" 3>&- 9>&-)
        }
    fi
else
    PG_USER=$(id -un)
    as_pg() { "$@" 3>&- 9>&-; }
fi

DATA="$PG_DIR/data"
LOGFILE="$PG_DIR/postgres.log"

mkdir -p "$PG_DIR" || die "cannot create $PG_DIR"

# Serialise concurrent invocations on the same directory.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$PG_DIR/.lock"
    flock -w 120 9 || die "timed out waiting for the lock on $PG_DIR/.lock"
fi

if is_root; then
    chown "$PG_USER:" "$PG_DIR"
    chmod 0700 "$PG_DIR"
    touch "$LOGFILE"
    chown "$PG_USER:" "$LOGFILE"
    as_pg test -w "$PG_DIR" ||
        die "user $PG_USER cannot write to $PG_DIR (is a parent directory private?); set HUGMOOD_PG_DIR elsewhere"
fi

pg_ctl() { as_pg "$PG_BIN/pg_ctl" -D "$DATA" "$@"; }

is_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -t 2 >/dev/null 2>&1; }

wait_ready() {
    local port=$1 i
    for i in $(seq 1 60); do
        is_ready "$port" && return 0
        [ "$i" -eq 1 ] || sleep 0.5
    done
    return 1
}

port_in_use() {
    # Something accepts connections there (bash built-in TCP, no extra tools needed).
    (exec 4<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

print_url() { printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$1" >&3; }

tail_log() {
    log "last lines of $LOGFILE:"
    tail -n 20 "$LOGFILE" >&2 2>/dev/null || true
}

# --- reuse a server from a previous run ---------------------------------------
if [ -f "$DATA/PG_VERSION" ] && pg_ctl status >/dev/null 2>&1; then
    port=$(sed -n '4p' "$DATA/postmaster.pid" 2>/dev/null || true)
    if [ -n "$port" ] && wait_ready "$port"; then
        log "reusing running server in $DATA on port $port"
        print_url "$port"
        exit 0
    fi
    pid=$(sed -n '1p' "$DATA/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && grep -q postgres "/proc/$pid/comm" 2>/dev/null; then
        log "server in $DATA (pid $pid) is running but not answering; restarting it"
        pg_ctl -m immediate -w -t 30 stop || true
    else
        # pid reused by an unrelated process (e.g. container restart): stale lock file.
        log "removing stale $DATA/postmaster.pid"
        rm -f "$DATA/postmaster.pid"
    fi
fi

# --- (re)create the cluster if missing, broken or from another major version --
if [ -f "$DATA/PG_VERSION" ] && [ "$(cat "$DATA/PG_VERSION")" != "$PG_MAJOR" ]; then
    log "$DATA was created by PostgreSQL $(cat "$DATA/PG_VERSION"), not $PG_MAJOR; recreating it"
    rm -rf "$DATA"
elif [ -e "$DATA" ] && [ ! -f "$DATA/PG_VERSION" ]; then
    log "$DATA exists but is not a PostgreSQL data directory; recreating it"
    rm -rf "$DATA"
fi

if [ ! -d "$DATA" ]; then
    log "initialising a new cluster in $DATA"
    as_pg mkdir -m 0700 "$DATA"
    as_pg "$PG_BIN/initdb" -D "$DATA" --auth=trust -U postgres --no-locale -E UTF8 \
        --no-sync >/dev/null || die "initdb failed"
    # Throwaway test server: speed over durability. Port is given on the command line.
    as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# --- added by scripts/start-postgres.sh (throwaway test server) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
logging_collector = off
EOF
fi

# --- start on the first free port ---------------------------------------------
port=$FIRST_PORT
last_port=$((FIRST_PORT + PORT_TRIES - 1))
while [ "$port" -le "$last_port" ]; do
    if port_in_use "$port"; then
        log "port $port is taken; trying the next one"
        port=$((port + 1))
        continue
    fi
    log "starting PostgreSQL on 127.0.0.1:$port (log: $LOGFILE)"
    log_lines_before=$(wc -l <"$LOGFILE" 2>/dev/null || echo 0)
    if pg_ctl -w -t 60 -l "$LOGFILE" -o "-p $port" start >/dev/null; then
        if wait_ready "$port"; then
            log "PostgreSQL $PG_MAJOR is ready on port $port"
            print_url "$port"
            exit 0
        fi
        tail_log
        pg_ctl -m immediate -w -t 30 stop || true
        die "server started but pg_isready never succeeded on port $port"
    fi
    # Lost a race for the port? Try the next one; any other failure is fatal.
    if tail -n "+$((log_lines_before + 1))" "$LOGFILE" 2>/dev/null |
        grep -qiE 'could not (bind|create listen socket)|address already in use'; then
        log "port $port could not be bound; trying the next one"
        port=$((port + 1))
        continue
    fi
    tail_log
    die "pg_ctl start failed"
done

die "no free port in $FIRST_PORT..$last_port"
