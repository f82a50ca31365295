# Checks the running API against its own OpenAPI document with schemathesis. Sourced by
# scripts/test after common.sh and serve.sh.
#
#   source scripts/lib/schemathesis.sh
#   check_api "$(swift build --show-bin-path)/shiplog"

SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_VENV=.build/schemathesis-venv

# Installs schemathesis into a virtual environment under .build, when it is not there yet.
install_schemathesis() {
    local bin="$SCHEMATHESIS_VENV/bin/schemathesis"
    if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
        return 0
    fi
    echo "schemathesis: installing $SCHEMATHESIS_VERSION (pip, into $SCHEMATHESIS_VENV)" >&2
    if ! python3 -m venv "$SCHEMATHESIS_VENV" >/dev/null 2>&1; then
        # Debian's own python3 keeps venv (ensurepip) in a package of its own.
        apt_install python3-venv
        rm -rf "$SCHEMATHESIS_VENV"
        python3 -m venv "$SCHEMATHESIS_VENV"
    fi
    "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}

# Serves a fresh ledger (the example configuration on the simulated drivers, with a few
# deployments so the reads return records) with the debug binary BIN, and runs schemathesis
# against its /openapi.json with a maintainer's token. Fails when schemathesis finds anything;
# the service's ledger and log are then kept for a look. The caller's EXIT trap runs serve_stop.
check_api() {
    local bin=$1 dir token status=0
    install_schemathesis
    dir=$(mktemp -d "${TMPDIR:-/tmp}/shiplog-schemathesis.XXXXXX")
    local db="$dir/ledger.sqlite" config="$dir/shiplog.yml"
    (
        cd "$dir"
        "$bin" init --db "$db" --config "$config"
        "$bin" deploy api --db "$db" --config "$config" --env staging --tag 3f9c2e1 --trigger merge --actor cara-contributor
        "$bin" deploy api --db "$db" --config "$config" --env production --tag rel-2024.02.01.00.00.00 --trigger release \
            --actor openverse-bot --on-behalf-of ana-maintainer
        # The example configuration makes this tag's tasks fail: ECS's circuit breaker rolls it back.
        "$bin" deploy frontend --db "$db" --config "$config" --env staging --tag broken-build --trigger merge --actor cara-contributor || true
    ) >"$dir/seed.log" 2>&1 || { echo "schemathesis: seeding the ledger failed:" >&2; cat "$dir/seed.log" >&2; return 1; }
    token=$("$bin" token create --db "$db" --name schemathesis --role maintainer --actor scripts-test 2>/dev/null)
    # A signing key, so the checkpoint answers; a webhook secret, so deliveries reach the signature check.
    mkdir "$dir/keys"
    "$bin" keys create --out "$dir/keys" --name schemathesis >/dev/null
    echo "schemathesis-webhook-secret" >"$dir/webhook-secret"

    serve_start "$bin" "$db" "$config" "$(free_port)" "$dir/serve.log" \
        --signing-key "$dir/keys/schemathesis.key" --github-webhook-secret-file "$dir/webhook-secret"
    echo "schemathesis: checking $SHIPLOG_SERVE_URL/openapi.json" >&2
    mkdir -p artifacts
    local junit schemathesis
    junit="$(pwd)/artifacts/schemathesis-junit.xml"
    schemathesis="$(pwd)/$SCHEMATHESIS_VENV/bin/schemathesis"
    # From the scratch directory, where schemathesis leaves its cache. Every check but one:
    # positive_data_acceptance, because a request can match the schema and still be refused by
    # what the ledger holds (an app the configuration lacks, a tag the registry lacks, event data
    # that does not fit its type). The live event stream never ends by itself: it has no place
    # in a request-response check.
    (cd "$dir" && "$schemathesis" --no-color run "$SHIPLOG_SERVE_URL/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,missing_required_header,ignored_auth,use_after_free,ensure_resource_availability,unsupported_method \
        --exclude-path /api/v1/events/stream \
        --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" \
        --seed "${SCHEMATHESIS_SEED:-2026}" \
        --generation-database none \
        --report junit --report-junit-path "$junit" \
        --request-timeout 20 \
        --workers 1) || status=$?
    serve_stop
    if [ "$status" -ne 0 ]; then
        echo "schemathesis: failed (exit $status); the service's ledger and log are in $dir, a JUnit report in artifacts/" >&2
        return "$status"
    fi
    rm -rf "$dir"
}
