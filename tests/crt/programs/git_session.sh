#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/crt/programs/git_session.sh — git init, add, commit and log in a
# fresh folder; prints what log shows. Every git process runs with whatever
# LD_PRELOAD the caller set.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export GIT_CONFIG_NOSYSTEM=1 HOME="$work" GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
git init -q -b main .
git config user.name strata
git config user.email strata@example.invalid
for round in 1 2 3; do
    for file in $(seq 1 40); do
        printf 'round %s file %s\n%s\n' "$round" "$file" "$(seq 1 $((file * round)))" > "file$file.txt"
    done
    git add .
    git commit -q -m "round $round"
done
git log --format='%h %s'
git count-objects -v | grep -E '^(count|in-pack)'
git fsck --no-progress --strict 2>/dev/null && echo 'fsck: clean'
