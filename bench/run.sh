#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark suite, from one command on a fresh Debian 12 machine:
# installs the peer allocators and tools, builds strata (release) and the
# workloads, runs everything (bench/run.py) and writes docs/benchmarks.md
# with its plots.
# Usage: bash bench/run.sh [--reps N] [--only a,b] [--peer NAME=PATH.so ...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packages.sh
need_packages ca-certificates build-essential cmake pkg-config libcmocka-dev valgrind time python3 git \
    sqlite3 perl gnuplot-nox libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0 libmimalloc-dev
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target strata_shared bench_workloads crt_stl_workload >/dev/null
exec python3 bench/run.py build/release "$@"
