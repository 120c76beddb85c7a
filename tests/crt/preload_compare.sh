#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/crt/preload_compare.sh STRATA_RUN -- COMMAND...
# Runs COMMAND without strata, then under strata-run --stats, and requires
# the same standard output, a clean exit both times, and strata's summary
# line on standard error with at least one allocation (so strata served it).
set -euo pipefail
strata_run=$1
shift
[ "$1" = "--" ] && shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$@" > "$work/plain.out" 2> "$work/plain.err" || {
    echo "without strata the command failed:"; cat "$work/plain.err"; exit 1; }
"$strata_run" --stats -- "$@" > "$work/strata.out" 2> "$work/strata.err" || {
    status=$?
    echo "under strata the command failed with $status:"; cat "$work/strata.err"; exit 1; }

if ! cmp -s "$work/plain.out" "$work/strata.out"; then
    echo "output differs under strata:"
    diff "$work/plain.out" "$work/strata.out" | head -40
    exit 1
fi
if ! grep -Eq '^strata: pid [0-9]+ \(.*\): [1-9][0-9]* allocations' "$work/strata.err"; then
    echo "no strata summary with allocations on stderr; it was:"
    head -20 "$work/strata.err"
    exit 1
fi
echo "same output ($(wc -l < "$work/strata.out") lines); $(grep -c '^strata: ' "$work/strata.err") processes ran on strata"
grep '^strata: ' "$work/strata.err" | sort -t: -k3 -n | tail -1
