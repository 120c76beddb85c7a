# SPDX-License-Identifier: MIT
# scripts/wine-env.sh — sourced: `source scripts/wine-env.sh DIR` prepares
# Wine for running the mingw tests: a 64-bit prefix in DIR/wineprefix
# (created once, about 12 s), quiet logging, and one wineserver kept alive
# for the whole run, without which every test waits ~2.5 s for the server to
# exit. `wine_env_stop` stops the server at the end.
wine_env_start() {
    local dir=$1
    if ! command -v wine >/dev/null 2>&1; then
        source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"
        need_packages wine wine64
    fi
    mkdir -p "$dir"
    # Wine wants a home folder; a bare CI environment may not name one.
    export HOME="${HOME:-$dir}"
    export WINEPREFIX="$dir/wineprefix" WINEDEBUG=-all WINEARCH=win64
    export WINEDLLOVERRIDES="mscoree,mshtml="
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        wineboot -i >/dev/null 2>&1 || true
        wineserver -w || true
    fi
    wineserver -p || true
    wine cmd /c exit 0 >/dev/null 2>&1 || true
}

wine_env_stop() {
    wineserver -k >/dev/null 2>&1 || true
}

wine_env_start "${1:?usage: source scripts/wine-env.sh DIR}"
