#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs a built strata into a scratch prefix, then builds and runs a
# consumer three ways: find_package (static, shared, one layer) and pkg-config;
# then the installed strata-run runs a program on the installed libstrata.so.
# Usage: run.sh BUILD_DIR SOURCE_DIR C_COMPILER
set -euo pipefail
build=$1 source=$2 cc=$3
scratch="$build/install-test"
rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null

cmake -S "$source/tests/install/consumer" -B "$scratch/consumer" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/consumer" >/dev/null
for program in consumer_static consumer_shared consumer_layer; do
    LD_LIBRARY_PATH="$scratch/prefix/lib" "$scratch/consumer/$program" | grep -q "consumer ok"
done

export PKG_CONFIG_PATH="$scratch/prefix/lib/pkgconfig"
"$cc" -std=c11 -o "$scratch/consumer_pkgconfig" "$source/tests/install/consumer/main.c" \
      $(pkg-config --cflags strata) $(pkg-config --libs strata)
LD_LIBRARY_PATH="$scratch/prefix/lib" "$scratch/consumer_pkgconfig" | grep -q "consumer ok"

# The installed strata-run finds the installed libstrata.so and runs a program on it.
"$scratch/prefix/bin/strata-run" --stats -- ls / 2>&1 >/dev/null | grep -Eq '^strata: crt [1-9][0-9]* allocations'

test -f "$scratch/prefix/include/strata/platform.h"
test -f "$scratch/prefix/include/strata.h"
echo "install test: find_package (static, shared, layer) and pkg-config consumers ran; strata-run ran ls"
