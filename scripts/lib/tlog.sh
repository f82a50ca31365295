# Checks the log served as C2SP tlog-tiles with a client shiplog did not write: Go's
# golang.org/x/mod/sumdb/tlog and sumdb/note, from Debian, driven by scripts/tlog-check. Sourced
# by scripts/test after common.sh and serve.sh.
#
#   source scripts/lib/tlog.sh
#   check_tlog_tiles "$(swift build --show-bin-path)/shiplog"

TLOG_CHECK_BIN=.build/tlog-check

# Installs Go and the x/mod sources (Debian packages) and builds scripts/tlog-check offline, in
# GOPATH mode against the sources the package puts under /usr/share/gocode.
install_tlog_check() {
    apt_install golang-go golang-golang-x-mod-dev
    if ! command -v go >/dev/null 2>&1; then
        echo "tlog: go is not on PATH after installing golang-go" >&2
        return 1
    fi
    GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$(pwd)/.build/go-cache" GOFLAGS= \
        go build -o "$TLOG_CHECK_BIN" ./scripts/tlog-check
}

# Prints COUNT JSON lines for `shiplog events append`, streams deployment-tlog-N from START.
tlog_events() {
    local start=$1 count=$2
    python3 -c 'import sys
start, count = int(sys.argv[1]), int(sys.argv[2])
for n in range(start, start + count):
    print("{\"stream\":\"deployment-tlog-%d\",\"type\":\"DeploymentRequested\",\"data\":{\"app\":\"api\",\"environment\":\"staging\",\"tag\":\"t%d\",\"trigger\":\"merge\"}}" % (n, n))' "$start" "$count"
}

# Waits (at most 30 s) until the served checkpoint is of SIZE events: the service signs one
# within its checkpoint interval of the log growing.
tlog_wait_for_checkpoint() {
    local size=$1
    python3 -c 'import sys, time, urllib.request
url, size = sys.argv[1], sys.argv[2]
for _ in range(150):
    try:
        if urllib.request.urlopen(url, timeout=2).read().decode().split("\n")[1] == size:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.2)
sys.exit("tlog: no checkpoint of size %s at %s within 30 s" % (size, url))' "$SHIPLOG_SERVE_URL/tlog/checkpoint" "$size"
}

# Serves a fresh ledger of 66,000 events (257 full level-0 tiles and a partial one, a full and
# a partial level-1 tile, a partial level-2 tile) with a signing key, checks it with tlog-check,
# appends 1,000 more while it is served, and checks again: the new checkpoint against the tiles
# and for consistency with the first. The caller's EXIT trap runs serve_stop.
check_tlog_tiles() {
    local bin=$1 dir status=0
    install_tlog_check
    dir=$(mktemp -d "${TMPDIR:-/tmp}/shiplog-tlog.XXXXXX")
    local db="$dir/ledger.sqlite" check
    check="$(pwd)/$TLOG_CHECK_BIN"
    (
        "$bin" init --db "$db" --config "$dir/shiplog.yml"
        mkdir "$dir/keys"
        "$bin" keys create --out "$dir/keys" --name tlog-check
        tlog_events 1 66000 | "$bin" events append --db "$db" --config "$dir/shiplog.yml" --actor ana-maintainer >/dev/null
    ) >"$dir/seed.log" 2>&1 || { echo "tlog: seeding the ledger failed:" >&2; cat "$dir/seed.log" >&2; return 1; }

    serve_start "$bin" "$db" "" "$(free_port)" "$dir/serve.log" --signing-key "$dir/keys/tlog-check.key" --checkpoint-interval 1s
    echo "tlog: checking $SHIPLOG_SERVE_URL/tlog with Go's sumdb/tlog" >&2
    {
        tlog_wait_for_checkpoint 66000 &&
            "$check" -url "$SHIPLOG_SERVE_URL/tlog" -vkey "$dir/keys/tlog-check.pub" -state "$dir/state" &&
            tlog_events 66001 1000 | "$bin" events append --db "$db" --config "$dir/shiplog.yml" --actor ana-maintainer >/dev/null &&
            tlog_wait_for_checkpoint 67000 &&
            "$check" -url "$SHIPLOG_SERVE_URL/tlog" -vkey "$dir/keys/tlog-check.pub" -state "$dir/state"
    } || status=$?
    serve_stop
    if [ "$status" -ne 0 ]; then
        echo "tlog: failed; the service's ledger and log are in $dir" >&2
        return "$status"
    fi
    rm -rf "$dir"
}
