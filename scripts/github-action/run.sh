#!/usr/bin/env bash
# The steps of the shiplog GitHub Action (action.yml beside it), kept here so they can be run and
# tested outside GitHub. `run.sh install` puts shiplog on PATH; `run.sh run` runs the command the
# inputs name (SHIPLOG_ACTION_* variables) and writes its outputs to $GITHUB_OUTPUT.
set -euo pipefail

fail() {
    echo "::error title=shiplog::$1"
    exit 1
}

output() {
    echo "$1=$2" >>"$GITHUB_OUTPUT"
}

# shiplog from PATH (a runner image or an earlier step that installed it), else built from the
# repository the action lives in.
install() {
    if command -v shiplog >/dev/null 2>&1; then
        echo "using $(command -v shiplog)"
        return
    fi
    local root
    root="$(cd "$GITHUB_ACTION_PATH/../.." && pwd)"
    # shellcheck source=../lib/common.sh
    source "$root/scripts/lib/common.sh"
    install_build_dependencies
    (cd "$root" && swift build -c release --product shiplog)
    (cd "$root" && swift build -c release --show-bin-path) >>"$GITHUB_PATH"
}

# A key that is the same when a failed job is re-run (same run, job, step and events), so the
# re-run's record is deduplicated instead of recorded twice; empty outside GitHub Actions.
default_key() {
    [ -n "${GITHUB_RUN_ID:-}" ] || return 0
    local digest
    digest="$(sha256sum "$1" | cut -c1-16)"
    echo "github-${GITHUB_RUN_ID}-${GITHUB_JOB:-job}-${GITHUB_ACTION:-step}-${digest}"
}

record() {
    local events_file="${SHIPLOG_ACTION_EVENTS_FILE:-}"
    if [ -n "${SHIPLOG_ACTION_EVENTS:-}" ]; then
        [ -z "$events_file" ] || fail "record takes events or events-file, not both"
        events_file="$(mktemp "${RUNNER_TEMP:-/tmp}/shiplog-events.XXXXXX")"
        printf '%s\n' "$SHIPLOG_ACTION_EVENTS" >"$events_file"
    fi
    [ -n "$events_file" ] || fail "record needs events or events-file"
    [ -r "$events_file" ] || fail "events-file $events_file cannot be read"
    local key="${SHIPLOG_ACTION_IDEMPOTENCY_KEY:-}"
    [ -n "$key" ] || key="$(default_key "$events_file")"
    local args=(events append --file "$events_file" --expected-version "${SHIPLOG_ACTION_EXPECTED_VERSION:-any}")
    [ -z "$key" ] || args+=(--idempotency-key "$key")
    local recorded warnings
    recorded="$(mktemp)"
    warnings="$(mktemp)"
    shiplog "${args[@]}" "${extra[@]}" >"$recorded" 2>"$warnings" || {
        local status=$?
        cat "$warnings" >&2
        exit "$status"
    }
    cat "$warnings" >&2
    cat "$recorded"
    if [ ! -s "$recorded" ]; then
        output outcome spooled
        return
    fi
    if grep -q "^already appended with idempotency key" "$warnings"; then
        output outcome deduplicated
    else
        output outcome recorded
    fi
    local last
    last="$(tail -n 1 "$recorded")"
    output position "$(jq -r .position <<<"$last")"
    local stream
    stream="$(jq -r .stream <<<"$last")"
    [[ "$stream" != deployment-* ]] || output deployment-id "$stream"
}

# deploy, rollback and promote follow the deployment to its end, as locally; the exit code says
# how it ended.
deployment() {
    local command="$1" args=("$1")
    [ -n "${SHIPLOG_ACTION_APP:-}" ] || fail "$command needs app"
    args+=("$SHIPLOG_ACTION_APP")
    if [ "$command" != promote ]; then
        [ -n "${SHIPLOG_ACTION_ENVIRONMENT:-}" ] || fail "$command needs environment"
        args+=(--env "$SHIPLOG_ACTION_ENVIRONMENT")
        local tag="${SHIPLOG_ACTION_TAG:-}"
        [ "$command" != deploy ] || tag="${tag:-${GITHUB_SHA:-}}"
        [ -n "$tag" ] || fail "$command needs tag"
        args+=(--tag "$tag")
    fi
    local out err status=0
    out="$(mktemp)"
    err="$(mktemp)"
    # Progress goes on to the job's log as it happens.
    shiplog "${args[@]}" "${extra[@]}" 2>"$err" | tee "$out" || status="${PIPESTATUS[0]}"
    cat "$err" >&2
    local summary id outcome
    # The summary is the last line the command wrote: on standard output when it succeeded or
    # queued, on standard error otherwise (progress lines come before it on standard output).
    if [ "$status" -eq 0 ]; then
        summary="$(grep -v '^$' "$out" | tail -n 1 || true)"
    else
        summary="$(grep -v '^$' "$err" | tail -n 1 || true)"
    fi
    if [[ "$summary" == *" queued behind promotion "* ]]; then
        id="$(sed -E 's/.* queued behind promotion ([^;]+);.*/\1/' <<<"$summary")"
    else
        id="${summary%% *}"
    fi
    case "$status" in
        0) outcome=succeeded; [[ "$summary" != *" queued behind promotion "* ]] || outcome=queued ;;
        1) outcome=failed ;;
        2) outcome=timed-out ;;
        3) outcome=rolled-back ;;
        4) outcome=superseded ;;
        5) outcome=gave-up-waiting ;;
        75) outcome=in-progress ;;
        *) outcome=error ;;
    esac
    [[ "$summary" != Error:* ]] || outcome=error
    output outcome "$outcome"
    if [ -n "$id" ] && [ "$outcome" != error ]; then
        output deployment-id "$id"
        local last
        last="$(shiplog events --stream "$id" | tail -n 1)"
        [ -z "$last" ] || output position "$(jq -r .position <<<"$last")"
    fi
    return "$status"
}

flush() {
    shiplog flush "${extra[@]}"
    output outcome flushed
}

run() {
    export SHIPLOG_URL="${SHIPLOG_ACTION_SERVER:-${SHIPLOG_URL:-}}"
    [ -n "$SHIPLOG_URL" ] || fail "server-url is empty and the job sets no SHIPLOG_URL"
    # An empty token input leaves the job's own SHIPLOG_TOKEN, else its GitHub Actions ID token.
    [ -z "${SHIPLOG_ACTION_TOKEN:-}" ] || export SHIPLOG_TOKEN="$SHIPLOG_ACTION_TOKEN"
    case "${SHIPLOG_ACTION_REQUIRE_LEDGER:-false}" in
        true) export SHIPLOG_REQUIRE_LEDGER=1 ;;
        false) ;;
        *) fail "require-ledger must be true or false, not '${SHIPLOG_ACTION_REQUIRE_LEDGER}'" ;;
    esac
    extra=()
    [ -z "${SHIPLOG_ACTION_ARGS:-}" ] || read -r -a extra <<<"$SHIPLOG_ACTION_ARGS"
    case "${SHIPLOG_ACTION_COMMAND:-}" in
        record) record ;;
        deploy | rollback | promote) deployment "$SHIPLOG_ACTION_COMMAND" ;;
        flush) flush ;;
        *) fail "command must be record, deploy, rollback, promote or flush, not '${SHIPLOG_ACTION_COMMAND:-}'" ;;
    esac
}

case "${1:-}" in
    install) install ;;
    run) run ;;
    *) fail "usage: run.sh install|run" ;;
esac
