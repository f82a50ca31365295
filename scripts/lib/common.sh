# Shared by scripts/run, scripts/test and scripts/bench: install what is missing.

# Installs the Debian packages that are not installed yet (apt-get update once).
apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing ${missing[*]} (Debian packages)" >&2
    if [ -z "${SHIPLOG_APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        export SHIPLOG_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Fails with a clear message when the Swift toolchain is not on PATH.
require_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: the Swift toolchain (6.1 or later) is not on PATH; install it first (https://www.swift.org/install/linux/)" >&2
        exit 1
    fi
}

# The packages every build needs: the system SQLite library the CSQLite target links.
install_build_dependencies() {
    require_swift
    apt_install libsqlite3-dev pkg-config
}
