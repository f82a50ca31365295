# The CLI reference, docs/cli/shiplog.md, is generated from the commands themselves by
# ArgumentParser's GenerateDoccReference plugin (GitHub-flavoured markdown). scripts/test
# checks that the checked-in page still matches the commands; update_cli_reference rewrites it.

cli_reference=docs/cli/shiplog.md

# Runs the plugin on the debug build the tests use (its default, release, would build
# everything again) and moves the page it writes into the target's DocC catalog to "$1".
generate_cli_reference() {
    local output=$1 catalog=Sources/shiplog/shiplog.docc
    local existed=0
    [ -d "$catalog" ] && existed=1
    if ! swift package --allow-writing-to-package-directory generate-docc-reference \
        --configuration debug --style github >/dev/null; then
        echo "clidocs: the GenerateDoccReference plugin failed" >&2
        return 1
    fi
    mv "$catalog/shiplog.md" "$output"
    [ "$existed" -eq 1 ] || rmdir "$catalog"
}

# Fails with one line when docs/cli/shiplog.md no longer matches the commands.
check_cli_reference() {
    local generated
    generated=$(mktemp)
    generate_cli_reference "$generated" || { rm -f "$generated"; return 1; }
    if ! cmp -s "$generated" "$cli_reference"; then
        rm -f "$generated"
        echo "clidocs: $cli_reference does not match the commands; regenerate it with: (source scripts/lib/clidocs.sh && update_cli_reference)" >&2
        return 1
    fi
    rm -f "$generated"
}

# Rewrites docs/cli/shiplog.md from the commands.
update_cli_reference() {
    generate_cli_reference "$cli_reference"
}
