#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# strata-run --map under a real program (python3): the page and the JSON are
# written at exit, hold the malloc heap with pages in use, and strata-map
# reads them back (--text, --diff, and -o from the page itself).
# Usage: strata_run_map.sh BUILD_DIR WORK_DIR PYTHON
set -euo pipefail
build=$1 work=$2 python=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
# The program asks for a map while its data is alive (STRATA_MAP_SIGNAL: the
# map is written at the next allocation that takes malloc's slow path, as
# FILE-1.html beside the exit map FILE.html). PYTHONMALLOC=malloc puts
# Python's small objects in malloc, so in strata's pages.
script='
import json, os, signal
data = [dict(n=i, s="x" * (i % 300)) for i in range(20000)]
os.kill(os.getpid(), signal.SIGUSR2)
more = [bytearray(5000) for i in range(50)]
print(len(json.dumps(data)))'
export PYTHONMALLOC=malloc

"$build/strata-run" --map small.json -- "$python" -c 'print(1)' >/dev/null
STRATA_MAP_SIGNAL=SIGUSR2 "$build/strata-run" --map big.html -- "$python" -c "$script" >/dev/null
STRATA_MAP=big.json STRATA_MAP_SIGNAL=USR2 "$build/strata-run" -- "$python" -c "$script" >/dev/null
[ -s big.html ] && [ -s big.json ] || fail "no map at exit"
[ -s big-1.html ] && [ -s big-1.json ] && [ ! -e big-2.json ] || fail "not one map for the one signal"
mv big-1.html big.html && mv big-1.json big.json   # the map taken while the data was alive

head -c 15 big.html | grep -q '<!DOCTYPE html>' || fail "big.html is not the page"
grep -q '"format":"strata-map"' big.html || fail "no snapshot in big.html"
"$python" - <<'PY' || fail "snapshot content"
import json
data = json.load(open("big.json"))
crt = [h for h in data["heaps"] if h["crt"]]
assert len(crt) == 1, "one malloc heap"
pages = [r for r in crt[0]["records"] if r["kind"] == "page"]
used = sum(p["used"] for p in pages)
assert used > 20000, "the program's 20000 dicts live in pages: %d slots" % used
assert all(p["used"] <= p["capacity"] for p in pages)
regions = data["regions"]
assert sum(r["size"] for r in regions) == data["totals"]["reserved"]
bases = {r["allocation_base"] for r in regions}
for r in crt[0]["records"]:
    if r["kind"] == "segment":
        assert r["address"] in bases, "segment %s is a reservation" % r["address"]
print("ok: %d pages, %d slots in use, %d regions" % (len(pages), used, len(regions)))
PY
"$build/strata-map" --text big.html > text.txt
grep -q '^total ' text.txt || fail "--text has no total line"
grep -q '(\* the malloc heap)' text.txt || fail "--text names no malloc heap"
"$build/strata-map" --diff small.json big.json > diff.txt
grep -E '^heap malloc committed +[0-9.]+ [KMG]i?B +[0-9.]+ [KMG]i?B +\+' diff.txt >/dev/null ||
    { cat diff.txt; fail "--diff does not show the malloc heap growing"; }
"$build/strata-map" big.html -o again.html
cmp <(grep -o '"process_id":[0-9]*' big.html) <(grep -o '"process_id":[0-9]*' again.html) ||
    fail "the page made from the page holds another snapshot"
echo "ok: strata-run --map, --text, --diff"
