# The CLI reference, docs/cli/shiplog.md, is generated from the commands themselves by
# ArgumentParser's GenerateDoccReference plugin (GitHub-flavoured markdown). scripts/test
# checks that the checked-in page still matches the commands; update_cli_reference rewrites it.

cli_reference=docs/cli/shiplog.md

# Runs the plugin on the debug build the tests use (its default, release, would build
# everything again) and moves the page it writes into Sources/shiplog/shiplog.docc to "$1".
# The plugin writes a page for every ArgumentParser executable (ShiplogBench too): the
# catalogs it creates are removed again, so Sources/ is left as it was.
generate_cli_reference() {
    local output=$1 log catalog
    local -a before=()
    for catalog in Sources/*/*.docc; do [ -e "$catalog" ] && before+=("$catalog"); done
    log=$(mktemp)
    if ! swift package --allow-writing-to-package-directory generate-docc-reference \
        --configuration debug --style github >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "clidocs: the GenerateDoccReference plugin failed" >&2
        return 1
    fi
    rm -f "$log"
    mv Sources/shiplog/shiplog.docc/shiplog.md "$output"
    for catalog in Sources/*/*.docc; do
        [ -e "$catalog" ] || continue
        [[ " ${before[*]} " == *" $catalog "* ]] || rm -r "$catalog"
    done
}

# Fails with one line when docs/cli/shiplog.md no longer matches the commands.
check_cli_reference() {
    local generated
    generated=$(mktemp)
    generate_cli_reference "$generated" || { rm -f "$generated"; return 1; }
    if ! cmp -s "$generated" "$cli_reference"; then
        rm -f "$generated"
        echo "clidocs: $cli_reference does not match the commands; regenerate it: (source scripts/lib/clidocs.sh && update_cli_reference)" >&2
        return 1
    fi
    rm -f "$generated"
}

# Rewrites docs/cli/shiplog.md from the commands.
update_cli_reference() {
    generate_cli_reference "$cli_reference"
}
