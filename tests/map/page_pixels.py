#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The strata-map page drawn by headless Chromium, its pixels checked: a
snapshot of known layout (regions of known sizes, one heap segment with a
full page, a free block and an uncommitted tail, one large block) must show
each part in its legend colour, at its width, in address order.

Usage: page_pixels.py STRATA_MAP_TOOL WORK_DIR
Exits 77 (skipped) when chromium or PIL is missing."""
import colorsys
import json
import os
import shutil
import subprocess
import sys

SKIP = 77


def hexrgb(text):
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


def hsl(h, s, l):
    r, g, b = colorsys.hls_to_rgb(h / 360.0, l, s)
    return (round(r * 255), round(g * 255), round(b * 255))


def close(a, b, slack=6):
    return all(abs(x - y) <= slack for x, y in zip(a, b))


def runs(image, y, x0, x1):
    """The row's colour runs between x0 and x1: [(colour, start, length)]."""
    out = []
    for x in range(x0, x1):
        colour = image.getpixel((x, y))[:3]
        if out and close(out[-1][0], colour, 2):
            out[-1][2] += 1
        else:
            out.append([colour, x, 1])
    return out


def longest(row_runs, colour):
    best = None
    for run in row_runs:
        if close(run[0], colour) and (best is None or run[2] > best[2]):
            best = run
    return best


MIB = 1 << 20


def snapshot():
    region = lambda base, size, state, kind, alloc: {
        "base": hex(base), "size": size, "state": state, "protect": "READWRITE" if state == "commit" else "",
        "protect_value": 4 if state == "commit" else 0, "type": kind, "allocation_base": hex(alloc),
        "allocation_protect": "READWRITE"}
    seg = 0x40000000
    return {
        "format": "strata-map", "version": 1, "process_id": 4242,
        "totals": {"regions": 3, "reserved": 4 * MIB, "committed": 3 * MIB, "mapped": 2 * MIB,
                   "private_committed": MIB, "heaps": 1, "heaps_omitted": 0},
        "regions": [region(0x10000000, MIB, "commit", "private", 0x10000000),
                    region(0x10100000, MIB, "reserve", "private", 0x10000000),
                    dict(region(0x20000000, 2 * MIB, "commit", "mapped", 0x20000000), section="0x7000",
                         section_offset=0)],
        "heaps": [{"base": hex(seg), "flags": 2, "process": True, "crt": True, "reserved": 5 * MIB,
                   "committed": 4 * MIB, "peak_committed": 4 * MIB, "segments": 1, "large_blocks": 1,
                   "records": [
                       {"kind": "segment", "address": hex(seg), "size": 4 * MIB, "committed": 3 * MIB,
                        "index": 0, "busy_blocks": 0, "busy_bytes": 0, "metadata": MIB // 4},
                       {"kind": "page", "address": hex(seg + MIB), "size": MIB, "class": 0, "stride": 16,
                        "capacity": 65536, "used": 65536, "pending": 0, "owner": "0x7f00"},
                       {"kind": "free", "address": hex(seg + 2 * MIB), "size": MIB},
                       {"kind": "large", "address": hex(0x50000000), "size": MIB, "committed": MIB,
                        "reserved": MIB}]}]}


def main():
    tool, work = sys.argv[1], sys.argv[2]
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("SKIPPED: chromium is not installed (apt-get install chromium)")
        return SKIP
    try:
        from PIL import Image
    except ImportError:
        print("SKIPPED: PIL is not installed (apt-get install python3-pil)")
        return SKIP
    os.makedirs(work, exist_ok=True)
    data_path = os.path.join(work, "known.json")
    page_path = os.path.join(work, "known.html")
    shot_path = os.path.join(work, "known.png")
    with open(data_path, "w") as f:
        json.dump(snapshot(), f)
    subprocess.run([sys.executable, tool, data_path, "-o", page_path], check=True)
    if os.path.exists(shot_path):
        os.remove(shot_path)
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--user-data-dir=" + os.path.join(work, "profile"), "--window-size=1400,1000",
                    "--screenshot=" + shot_path, "file://" + os.path.abspath(page_path)],
                   check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    image = Image.open(shot_path).convert("RGB")
    width, height = image.size
    committed, reserved, mapped = hexrgb("#2f62c8"), hexrgb("#d3dff2"), hexrgb("#1f9a55")
    failures = []

    # The address bar: the first row with a long run of the committed colour.
    bar_y = next((y for y in range(height) if (lambda r: r and r[2] > 200)(longest(runs(image, y, 0, width), committed))),
                 None)
    if bar_y is None:
        print("FAIL: no address bar in committed-private colour")
        return 1
    row = runs(image, bar_y + 20, 0, width)
    a, b, c = longest(row, committed), longest(row, reserved), longest(row, mapped)
    # 1 + 1 + 2 MiB over 1337 px (1340 less one gap of 3 between allocations).
    for name, run, want in (("committed", a, 334), ("reserved", b, 334), ("mapped", c, 668)):
        if run is None or abs(run[2] - want) > 4:
            failures.append("bar %s run %s, want about %d px" % (name, run and run[2], want))
    if a and b and c and not (a[1] < b[1] < c[1]):
        failures.append("bar out of address order: %d %d %d" % (a[1], b[1], c[1]))
    if a and b and c and not (3 <= c[1] - (b[1] + b[2]) <= 5):
        failures.append("no gap between the two allocations: %d" % (c[1] - (b[1] + b[2])))

    # The heap segment row over 1140 px: metadata (1/16), busy back-end blocks (3/16), a full
    # class-0 page, a free block, uncommitted (1/4 each).
    metadata, busy = hexrgb("#23282f"), hexrgb("#5e6673")
    meta, page, free_block = busy, hsl(30, 0.70, 0.38), hexrgb("#f2f2f2")
    seg_y = next((y for y in range(bar_y + 70, height)
                  if (lambda r: r and r[2] > 200)(longest(runs(image, y, 0, width), page))), None)
    if seg_y is None:
        failures.append("no full class-0 page in the heap rows")
    else:
        row = runs(image, seg_y + 3, 0, width)
        d, m, p, f = longest(row, metadata), longest(row, meta), longest(row, page), longest(row, free_block)
        for name, run, want in (("metadata", d, 71), ("busy blocks", m, 214), ("page", p, 285),
                                ("free block", f, 285)):
            if run is None or abs(run[2] - want) > 4:
                failures.append("segment %s run %s, want about %d px" % (name, run and run[2], want))
        if d and m and p and f and not (d[1] < m[1] < p[1] < f[1]):
            failures.append("segment parts out of order")
        # The large block below it, in its colour across the row.
        large = next((y for y in range(seg_y + 10, min(seg_y + 80, height))
                      if (lambda r: r and r[2] > 1000)(longest(runs(image, y, 0, width), hexrgb("#c0392b")))), None)
        if large is None:
            failures.append("no large-block row")
    for failure in failures:
        print("FAIL:", failure)
    print("checked %s (%dx%d): bar at y=%d, segment at y=%s" % (shot_path, width, height, bar_y, seg_y))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
