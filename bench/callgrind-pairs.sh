#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions per HeapAlloc+HeapFree pair, sizes 8-512, measured with
# callgrind: strata's heap API against mimalloc's heap API (mi_heap_malloc /
# mi_free) in the same program and the same run. Each count is the
# difference between N pairs and none, divided by N: loop, size arithmetic
# and one byte written and read per block included, for both alike.
#
#   bash bench/callgrind-pairs.sh [pairs]     (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packages.sh
need_packages cmake gcc valgrind libmimalloc-dev
pairs=${1:-100000}
cmake --preset release >/dev/null
cmake --build build/release --target heap_pairs >/dev/null
program=build/release/bench/heap_pairs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

instructions() { # allocator pattern pairs
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$program" "$1" "$2" "$3" >/dev/null 2>"$work/log"
    grep -o 'Collected : [0-9]*' "$work/log" | awk '{print $3}'
}

echo "| pattern | strata | mimalloc $(dpkg-query -W -f '${Version}' libmimalloc2.0 2>/dev/null || echo '?') | strata / mimalloc |"
echo "|---|---|---|---|"
for pattern in immediate batch; do
    row="| $pattern"
    declare -A per_pair=()
    for allocator in strata mimalloc; do
        base=$(instructions $allocator $pattern 0)
        full=$(instructions $allocator $pattern "$pairs")
        per_pair[$allocator]=$(awk -v a="$base" -v b="$full" -v n="$pairs" 'BEGIN {printf "%.1f", (b - a) / n}')
        row="$row | ${per_pair[$allocator]}"
    done
    ratio=$(awk -v s="${per_pair[strata]}" -v m="${per_pair[mimalloc]}" 'BEGIN {printf "%.2f", s / m}')
    echo "$row | $ratio |"
done
