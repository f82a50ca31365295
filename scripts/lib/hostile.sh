# The service under hostile and unlucky conditions, against the real `shiplog serve` on loopback:
# a slow-loris, descriptor exhaustion, HTTP/1.0 clients, refusals before routing, a ledger locked
# by another process, a ledger that is gone or read-only, a full disk. Sourced by scripts/test
# after common.sh and serve.sh; the clients are scripts/lib/hostile_clients.py.
#
#   source scripts/lib/hostile.sh
#   check_hostile_conditions "$(swift build --show-bin-path)/shiplog"
#
# Needs root (it mounts a tmpfs), util-linux (mount, mountpoint) and python3. Under CI=true a
# missing one fails; elsewhere the stage is skipped, saying why. It takes about 30 s.

HOSTILE_IDLE_TIMEOUT=10
HOSTILE_SLOW_CONNECTIONS=2000
HOSTILE_DESCRIPTOR_LIMIT=64

# Fails (CI) or returns 1 with a message (elsewhere) when the stage cannot run here.
hostile_requirements() {
    local missing=()
    [ "$(id -u)" -eq 0 ] || missing+=("root (to mount a tmpfs)")
    command -v python3 >/dev/null 2>&1 || missing+=("python3")
    command -v mount >/dev/null 2>&1 || missing+=("mount")
    command -v mountpoint >/dev/null 2>&1 || missing+=("mountpoint (util-linux)")
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "${CI:-}" = "true" ]; then
        echo "hostile: cannot run without ${missing[*]}" >&2
        exit 1
    fi
    echo "hostile: skipped: needs ${missing[*]}" >&2
    return 1
}

# Stops the service, unmounts (the read-only bind mount and the tmpfs beneath it) and removes the
# stage's scratch directory; scripts/test's EXIT trap calls it too, so a failure leaves no mount.
hostile_cleanup() {
    serve_stop
    if [ -n "${HOSTILE_DIR:-}" ]; then
        while mountpoint -q "$HOSTILE_DIR/disk" 2>/dev/null; do
            umount "$HOSTILE_DIR/disk" || umount -l "$HOSTILE_DIR/disk" || break
        done
        rm -rf "$HOSTILE_DIR"
        unset HOSTILE_DIR
    fi
}

# Runs every case with the debug binary BIN; fails on the first that does not hold.
check_hostile_conditions() {
    local bin=$1 clients port db token started
    hostile_requirements || return 0
    clients="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/hostile_clients.py"
    started=$(date +%s)
    HOSTILE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/shiplog-hostile.XXXXXX")
    # 2,000 slow clients need 2,000 descriptors on each side, and a few more.
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 8192 ]; then
        ulimit -n 8192 || { echo "hostile: cannot raise the descriptor limit to 8192 (hard limit $(ulimit -Hn))" >&2; return 1; }
    fi

    # A small file system of its own, so the disk can be filled and made read-only.
    mkdir "$HOSTILE_DIR/disk"
    mount -t tmpfs -o size=8m tmpfs "$HOSTILE_DIR/disk"
    db="$HOSTILE_DIR/disk/ledger.sqlite"
    # The example configuration goes beside the disk, not into it: the service runs without one.
    "$bin" init --db "$db" --config "$HOSTILE_DIR/shiplog.yml" >/dev/null
    token=$("$bin" token create --db "$db" --name hostile --role maintainer --actor scripts-test 2>/dev/null)
    port=$(free_port)
    serve_start "$bin" "$db" "" "$port" "$HOSTILE_DIR/serve.log" --idle-timeout "${HOSTILE_IDLE_TIMEOUT}s"

    python3 "$clients" slowloris --port "$port" --connections "$HOSTILE_SLOW_CONNECTIONS" --idle-timeout "$HOSTILE_IDLE_TIMEOUT"
    python3 "$clients" http10 --port "$port" --idle-timeout "$HOSTILE_IDLE_TIMEOUT"
    python3 "$clients" error-bodies --port "$port" --token "$token"
    python3 "$clients" locked --port "$port" --token "$token" --db "$db"

    python3 "$clients" ready --port "$port" --expect 200 --why "as started"
    mv "$db" "$db.moved"
    python3 "$clients" ready --port "$port" --expect 503 --why "the ledger file is gone"
    mv "$db.moved" "$db"
    python3 "$clients" ready --port "$port" --expect 200 --why "the file is back"
    # Read-only: a read-only bind mount over the directory (remounting the tmpfs itself read-only
    # is refused while the service has its files open for writing).
    mount --bind "$HOSTILE_DIR/disk" "$HOSTILE_DIR/disk"
    mount -o remount,bind,ro "$HOSTILE_DIR/disk"
    python3 "$clients" ready --port "$port" --expect 503 --why "the file system is read-only"
    umount "$HOSTILE_DIR/disk"
    python3 "$clients" ready --port "$port" --expect 200 --why "writable again"
    # Fill the disk: dd stops at ENOSPC, which is the point.
    dd if=/dev/zero of="$HOSTILE_DIR/disk/filler" bs=64k >/dev/null 2>&1 || true
    python3 "$clients" ready --port "$port" --expect 503 --why "the disk is full"
    python3 "$clients" append --port "$port" --token "$token" --expect 503
    rm "$HOSTILE_DIR/disk/filler"
    python3 "$clients" ready --port "$port" --expect 200 --why "space freed"
    python3 "$clients" append --port "$port" --token "$token" --expect 201
    serve_stop
    "$bin" verify --db "$db" >/dev/null || { echo "hostile: the ledger does not verify after the disk was full" >&2; return 1; }

    # Few descriptors: the accept loop backs off instead of spinning, and recovers.
    port=$(free_port)
    SHIPLOG_SERVE_NOFILE=$HOSTILE_DESCRIPTOR_LIMIT serve_start "$bin" "$db" "" "$port" "$HOSTILE_DIR/serve-descriptors.log"
    python3 "$clients" descriptors --port "$port" --pid "$SHIPLOG_SERVE_PID" --limit "$HOSTILE_DESCRIPTOR_LIMIT" --connections 200
    hostile_cleanup
    echo "hostile: every case held ($(($(date +%s) - started)) s)" >&2
}
