# The API reference in docs/api.md is generated from the OpenAPI document. Sourced by
# scripts/test after common.sh.
#
#   source scripts/lib/apidocs.sh
#   check_api_docs

APIDOCS_SOURCE=Sources/Server/Contracts/openapi.yaml
APIDOCS_OUTPUT=docs/api.md

# Writes docs/api.md from the OpenAPI document.
generate_api_docs() {
    python3 scripts/lib/apidocs.py "$APIDOCS_SOURCE" > "$APIDOCS_OUTPUT"
}

# Fails when docs/api.md is not what the OpenAPI document generates.
check_api_docs() {
    # PyYAML: Debian's package for Debian's python3, else pip for any other.
    python3 -c 'import yaml' 2>/dev/null || apt_install python3-yaml
    python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check pyyaml
    local generated
    generated=$(mktemp)
    python3 scripts/lib/apidocs.py "$APIDOCS_SOURCE" > "$generated"
    if ! cmp -s "$generated" "$APIDOCS_OUTPUT"; then
        rm -f "$generated"
        echo "error: $APIDOCS_OUTPUT is out of date with $APIDOCS_SOURCE; run: source scripts/lib/common.sh; source scripts/lib/apidocs.sh; generate_api_docs" >&2
        return 1
    fi
    rm -f "$generated"
}
