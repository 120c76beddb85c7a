#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Renders docs/img/*.svg to PNG with headless Chromium, to look at them.

Usage: python3 docs/img/render.py [OUT_DIR]   (default: build/docs-img)
Needs the `chromium` package. The PNGs are not kept in the repository."""
import glob
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "build", "docs-img")
os.makedirs(out, exist_ok=True)
for svg in sorted(glob.glob(os.path.join(here, "*.svg"))):
    with open(svg) as f:
        head = f.read(400)
    width, height = re.search(r'width="(\d+)" height="(\d+)"', head).groups()
    png = os.path.join(out, os.path.basename(svg)[:-4] + ".png")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=%s,%s" % (width, height), "--screenshot=" + png, "file://" + svg],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(png)
