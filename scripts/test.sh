#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs strata's whole test suite, installing whatever is missing first.
# Legs, each a CMake preset: release (gcc), clang, dev (ASan+UBSan),
# valgrind (every test under memcheck), mingw (Windows build under Wine).
# The release leg also runs README's commands as written in a copy of the
# tracked files (scripts/readme-commands.sh), counted as one more test.
# Any failure fails the run. Usage: scripts/test.sh [LEG...] (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/packages.sh

legs=("$@")
[ ${#legs[@]} -gt 0 ] || legs=(release clang dev valgrind mingw)

packages=(ca-certificates build-essential cmake pkg-config libcmocka-dev)
for leg in "${legs[@]}"; do
    case "$leg" in
        clang) packages+=(clang python3 git) ;;
        dev) packages+=(libclang-rt-14-dev) ;;
        valgrind) packages+=(valgrind) ;;
        mingw) packages+=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64 dpkg-dev) ;;
        release) packages+=(python3 git chromium python3-pil) ;; # LD_PRELOAD programs; README commands; strata-map page
        *) echo "unknown leg: $leg (release clang dev valgrind mingw)" >&2; exit 2 ;;
    esac
done
need_packages "${packages[@]}"

jobs=$(nproc)
summary=()
total_passed=0
total_failed=0

# run_leg NAME: configure, build and test one preset; records its counts.
run_leg() {
    local leg=$1 start log passed failed
    start=$(date +%s)
    log="$root/build/$leg.ctest.log"
    echo "== $leg: configure and build"
    cmake --preset "$leg" >/dev/null
    cmake --build --preset "$leg" -j"$jobs" >/dev/null
    echo "== $leg: test"
    set +e
    ctest --preset "$leg" -j"$jobs" 2>&1 | tee "$log" | grep -E "tests passed|tests failed out of|\*\*\*|Failed|Timeout|Not Run"
    set -e
    failed=$(sed -nE 's/.*, ([0-9]+) tests? failed out of ([0-9]+).*/\1/p' "$log" | tail -n 1)
    local total
    total=$(sed -nE 's/.*tests? failed out of ([0-9]+).*/\1/p' "$log" | tail -n 1)
    if [ -z "$total" ]; then
        failed=1 total=0
        echo "== $leg: ctest printed no summary"
    fi
    passed=$((total - failed))
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    summary+=("$(printf '%-9s %6d %7d %8ds' "$leg" "$passed" "$failed" "$(($(date +%s) - start))")")
}

for leg in "${legs[@]}"; do
    if [ "$leg" = mingw ]; then
        bash scripts/mingw-cmocka.sh "$root/build/deps/mingw-cmocka"
        mkdir -p "$root/build/mingw"
        source scripts/wine-env.sh "$root/build/mingw"
        run_leg mingw
        wine_env_stop
    else
        run_leg "$leg"
    fi
    if [ "$leg" = release ]; then
        start=$(date +%s)
        echo "== readme: the README's commands in a copy of the tracked files"
        if bash scripts/readme-commands.sh "$root/build/readme"; then
            readme_passed=1 readme_failed=0
        else
            readme_passed=0 readme_failed=1
        fi
        total_passed=$((total_passed + readme_passed))
        total_failed=$((total_failed + readme_failed))
        summary+=("$(printf '%-9s %6d %7d %8ds' readme "$readme_passed" "$readme_failed" "$(($(date +%s) - start))")")
    fi
done

echo
printf '%-9s %6s %7s %9s\n' leg passed failed time
printf '%s\n' "${summary[@]}"
echo "total: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
