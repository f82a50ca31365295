# Starts and stops `shiplog serve` on loopback for scripts/test (schemathesis), scripts/bench
# (wrk) and scripts/run (the demo). Sourced after common.sh.
#
#   source scripts/lib/serve.sh
#   serve_start "$shiplog" "$dir/ledger.sqlite" "$dir/shiplog.yml" "$(free_port)" "$dir/serve.log"
#   curl "$SHIPLOG_SERVE_URL/readyz"
#   serve_stop

# Prints a free TCP port on the loopback interface.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# True when something already listens on loopback port $1.
port_taken() {
    python3 -c 'import socket, sys
s = socket.socket()
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

# Starts BIN serve on 127.0.0.1:PORT over ledger DB with configuration CONFIG (may be empty),
# its output in LOG, from the ledger's directory (the simulated drivers keep their state beside
# it), with any further arguments given to serve; waits until /readyz answers. Exports
# SHIPLOG_SERVE_PID and SHIPLOG_SERVE_URL. With SHIPLOG_SERVE_NOFILE set, the service may open
# at most that many file descriptors.
serve_start() {
    local bin=$1 db=$2 config=$3 port=$4 log=$5 i
    shift 5
    local arguments=(serve --db "$db" --host 127.0.0.1 --port "$port" --reconcile off "$@")
    if [ -n "$config" ]; then arguments+=(--config "$config"); fi
    (
        cd "$(dirname "$db")"
        if [ -n "${SHIPLOG_SERVE_NOFILE:-}" ]; then ulimit -n "$SHIPLOG_SERVE_NOFILE"; fi
        exec "$bin" "${arguments[@]}"
    ) >"$log" 2>&1 &
    SHIPLOG_SERVE_PID=$!
    SHIPLOG_SERVE_URL="http://127.0.0.1:$port"
    export SHIPLOG_SERVE_PID SHIPLOG_SERVE_URL
    for i in $(seq 1 150); do
        if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/readyz", timeout=1)' "$SHIPLOG_SERVE_URL" >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$SHIPLOG_SERVE_PID" 2>/dev/null; then break; fi
        sleep 0.2
    done
    echo "serve: shiplog serve did not become ready at $SHIPLOG_SERVE_URL; its log ($log):" >&2
    cat "$log" >&2
    serve_stop
    return 1
}

# Stops the service serve_start started (SIGTERM: it finishes what is in flight), if it runs.
serve_stop() {
    if [ -n "${SHIPLOG_SERVE_PID:-}" ]; then
        kill "$SHIPLOG_SERVE_PID" 2>/dev/null || true
        wait "$SHIPLOG_SERVE_PID" 2>/dev/null || true
    fi
    unset SHIPLOG_SERVE_PID SHIPLOG_SERVE_URL
}
