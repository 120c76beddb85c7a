#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the commands README.md shows, as written, in a copy of the
# repository's tracked files (what a fresh clone holds), in this order:
# "Building by hand", "Win32 code on Linux", "strata's malloc under any
# program", "Using an installed strata", "Packages". The files the commands
# name as the reader's own (my_win32_program.cpp, my_script.py, app.c) are
# written first. Left out: lines naming a preset (scripts/test.sh's legs run
# those) and lines that run scripts/ or bench/. /opt/strata becomes a
# folder of the copy, so nothing is installed outside it.
# Usage: scripts/readme-commands.sh [WORK_DIR] (default build/readme).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${1:-$root/build/readme}
rm -rf "$work"
mkdir -p "$work/clone"
clone="$work/clone"
opt="$work/opt/strata"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$clone"
git -C "$clone" init -q   # for README's `git status`

# section_commands TITLE: the lines of the ```sh blocks under "## TITLE".
section_commands() {
    awk -v title="## $1" '
        /^## / { inside = ($0 == title) }
        inside && /^```sh$/ { block = 1; next }
        inside && /^```$/ { block = 0; next }
        inside && block { print }
    ' "$root/README.md"
}

ran=0
# run_section TITLE: runs the section's commands in the copy, in one shell
# (a line may export what the next one uses), stopping at the first failure.
run_section() {
    local title=$1 line command script=""
    local commands
    commands=$(section_commands "$title")
    [ -n "$commands" ] || { echo "readme: no commands under \"## $title\"" >&2; exit 1; }
    while IFS= read -r line; do
        command=${line%%  #*}              # the comment after two spaces is the reader's
        case "$command" in
            *--preset* | "bash scripts/"* | "bash bench/"* | "") continue ;;
        esac
        command=${command//\/opt\/strata/$opt}
        script+="$command"$'\n'
        ran=$((ran + 1))
    done <<<"$commands"
    echo "readme: ## $title"
    (cd "$clone" && PATH="$opt/bin:$PATH" bash -euxo pipefail -c "$script") >"$work/last.log" 2>&1 || {
        tail -n 40 "$work/last.log" >&2
        echo "readme: a command under \"## $title\" failed (the last + line above)" >&2
        exit 1
    }
}

# The reader's own files.
cp "$root/tests/win32/seed_example.cpp" "$clone/my_win32_program.cpp"
printf 'import json\nprint("readme script:", json.dumps(sorted({"b": 2, "a": 1})))\n' >"$clone/my_script.py"
cat >"$clone/app.c" <<'PROGRAM'
#include <strata.h>
#include <stdio.h>
int main(void)
{
    printf("app on strata %s\n", strata_version());
    return 0;
}
PROGRAM

run_section "Building by hand"
test -f "$clone/build/libstrata.a" || { echo "readme: the build made no build/libstrata.a" >&2; exit 1; }
grep -q '^CMAKE_BUILD_TYPE:STRING=RelWithDebInfo$' "$clone/build/CMakeCache.txt" ||
    { echo "readme: a plain build is not RelWithDebInfo" >&2; exit 1; }
run_section "Win32 code on Linux"
(cd "$clone" && ./a.out) >/dev/null || { echo "readme: the Win32 program failed" >&2; exit 1; }
run_section "strata's malloc under any program"
run_section "Using an installed strata"
(cd "$clone" && env -u LD_LIBRARY_PATH ./app) | grep "app on strata" >/dev/null ||
    { echo "readme: app (rpath) did not run" >&2; exit 1; }
(cd "$clone" && ./app_crt) | grep "app on strata" >/dev/null || { echo "readme: app_crt did not run" >&2; exit 1; }
run_section "Packages"
ls "$clone"/build/libstrata0_*.deb "$clone"/build/libstrata-dev_*.deb "$clone"/build/strata-*.tar.gz >/dev/null

echo "readme: $ran commands ran as written"
