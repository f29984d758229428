# A hub process for a script's own run (sourced by scripts/schemathesis.sh and
# loadtests/k6/harness.sh, not run). The caller defines `die`, exports the hub's
# HUGMOOD_* settings with HUGMOOD_BIND=127.0.0.1:0 and HUGMOOD_LOG_FORMAT=json, and
# calls `hub_stop` on exit.

HUB_PID=
BASE_URL=

# Sets HUB_ENV to the command prefix `env -u NAME ...` that runs the hub binary
# without the scripts' own settings (HUGMOOD_K6_*, HUGMOOD_ST_*), which it would warn
# about as unknown. `env` replaces itself with the binary, so a background
# `"${HUB_ENV[@]}" BIN serve &` leaves the hub's own PID in $!.
hub_env() {
    local name
    HUB_ENV=(env)
    for name in $(compgen -e); do
        case $name in
        HUGMOOD_K6_* | HUGMOOD_ST_*) HUB_ENV+=(-u "$name") ;;
        esac
    done
}

# hub_run BIN ARGS...: runs the hub binary to its end in that environment.
hub_run() {
    hub_env
    "${HUB_ENV[@]}" "$@"
}

# hub_serve BIN LOG: starts `BIN serve` with its output in LOG and waits until it
# listens (its JSON log line "hub listening" names the port it got). Sets HUB_PID and
# BASE_URL (http://127.0.0.1:PORT).
hub_serve() {
    local bin=$1 log=$2 addr= _
    hub_env
    "${HUB_ENV[@]}" "$bin" serve >"$log" 2>&1 &
    HUB_PID=$!
    for _ in $(seq 1 100); do
        addr=$(sed -n 's/.*"hub listening","addr":"\([0-9.:]*\)".*/\1/p' "$log" | head -n 1)
        [ -n "$addr" ] && break
        kill -0 "$HUB_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$addr" ] || { cat "$log" >&2; die "the hub did not start"; }
    BASE_URL=http://$addr
}

# Stops the hub started by hub_serve, if any, and waits for it.
hub_stop() {
    if [ -n "$HUB_PID" ]; then
        kill "$HUB_PID" 2>/dev/null || true
        wait "$HUB_PID" 2>/dev/null || true
        HUB_PID=
    fi
}
