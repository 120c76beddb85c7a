#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds strata (release, no tests) and runs its main demo, installing the
# compiler and CMake first if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packages.sh
need_packages ca-certificates build-essential cmake
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build/demo --target strata_demo -j"$(nproc)" >/dev/null
./build/demo/strata_demo
