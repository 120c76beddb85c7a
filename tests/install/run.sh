#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# strata from outside, three ways:
#  1. cmake --install into a scratch prefix; consumers built with find_package
#     (static, shared, one layer), with pkg-config (strata, strata-crt,
#     strata-heap; one with an rpath and no LD_LIBRARY_PATH), the examples
#     built on their own; the installed strata-run preloads the installed
#     libstrata.so.
#  2. cpack's Debian packages unpacked into a scratch root (dpkg -x): what
#     each holds, and consumers built against it with find_package and
#     pkg-config; its strata-run finds its libstrata.so.<major>.
#  3. cpack's tarball unpacked: a pkg-config consumer built against it.
# Usage: run.sh BUILD_DIR SOURCE_DIR C_COMPILER
set -euo pipefail
build=$1 source=$2 cc=$3
consumer_src="$source/tests/install/consumer"
scratch="$build/install-test"
rm -rf "$scratch"
mkdir -p "$scratch"

fail() { echo "install test: $*" >&2; exit 1; }

# expect_ok PROGRAM [ARGS...]: runs it and requires its "ok" line.
expect_ok() { "$@" | grep " ok" >/dev/null || fail "$* did not print ok"; }

# find_package_consumers PREFIX LIBDIR DIR: builds and runs the CMake consumers.
find_package_consumers() {
    local prefix=$1 libdir=$2 dir=$3
    cmake -S "$consumer_src" -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
    cmake --build "$dir" >/dev/null
    for program in consumer_static consumer_shared consumer_layer consumer_crt; do
        LD_LIBRARY_PATH="$libdir" expect_ok "$dir/$program"
    done
    # The layer libraries are static: nothing of strata is loaded at run time.
    ! ldd "$dir/consumer_crt" | grep libstrata >/dev/null || fail "consumer_crt loads libstrata.so"
}

# pkg_config_consumers PKGCONFIG_DIR LIBDIR OUT: builds and runs the pkg-config consumers.
pkg_config_consumers() {
    local pcdir=$1 libdir=$2 out=$3
    export PKG_CONFIG_PATH="$pcdir"
    mkdir -p "$out"
    # shellcheck disable=SC2046 # pkg-config's output is meant to be split
    "$cc" -std=c11 -o "$out/with_dropin" "$consumer_src/main.c" $(pkg-config --cflags --libs strata)
    LD_LIBRARY_PATH="$libdir" expect_ok "$out/with_dropin"
    # With an rpath the loader needs no LD_LIBRARY_PATH.
    "$cc" -std=c11 -o "$out/with_rpath" "$consumer_src/main.c" $(pkg-config --cflags --libs strata) \
          -Wl,-rpath,"$(pkg-config --variable=libdir strata)"
    env -u LD_LIBRARY_PATH "$out/with_rpath" | grep "consumer ok" >/dev/null || fail "rpath consumer"
    "$cc" -std=c11 -o "$out/crt_only" "$consumer_src/crt_user.c" \
          $(pkg-config --cflags strata-crt) $(pkg-config --static --libs strata-crt)
    expect_ok "$out/crt_only"
    "$cc" -std=c11 -o "$out/heap_only" "$consumer_src/main.c" \
          $(pkg-config --cflags strata-heap) $(pkg-config --static --libs strata-heap)
    expect_ok "$out/heap_only"
    # Neither defines malloc: only the drop-in takes the standard names.
    for program in crt_only heap_only; do
        ! nm "$out/$program" | grep -E ' T (malloc|free)$' >/dev/null || fail "$program defines malloc"
    done
    [ "$(pkg-config --modversion strata-crt)" = "$(pkg-config --modversion strata)" ] || fail "pkg-config versions differ"
    unset PKG_CONFIG_PATH
}

# 1. cmake --install
prefix="$scratch/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name 'libstrata.so' | head -n 1)")
find_package_consumers "$prefix" "$libdir" "$scratch/consumer"
pkg_config_consumers "$libdir/pkgconfig" "$libdir" "$scratch/pkg-config"
cmake -S "$source/examples" -B "$scratch/examples" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/examples" >/dev/null
ctest --test-dir "$scratch/examples" 2>&1 | grep "100% tests passed" >/dev/null || fail "examples against the install"
"$prefix/bin/strata-run" --stats -- ls / 2>&1 >/dev/null | grep -E '^strata: pid [0-9]+ \(.*\): [1-9][0-9]* allocations' >/dev/null ||
    fail "installed strata-run"
[ "$("$prefix/bin/strata-run" --version)" = "strata-run $(pkg-config --modversion "$libdir/pkgconfig/strata.pc")" ] ||
    fail "installed strata-run --version"

# 2. Debian packages
if command -v dpkg-deb >/dev/null; then
    (cd "$build" && cpack -G DEB -B "$scratch/packages" >/dev/null)
    runtime=$(ls "$scratch"/packages/libstrata[0-9]*_*.deb)
    dev=$(ls "$scratch"/packages/libstrata-dev_*.deb)
    # Listings read whole first: grep -q stopping early would break dpkg-deb's pipe.
    runtime_files=$(dpkg-deb -c "$runtime" | awk '{print $6}')
    dev_files=$(dpkg-deb -c "$dev" | awk '{print $6}')
    grep -q '/libstrata\.so\.[0-9]*\.[0-9]*\.[0-9]*$' <<<"$runtime_files" || fail "runtime package lacks libstrata.so"
    grep -q '/usr/bin/strata-run$' <<<"$runtime_files" || fail "runtime package lacks strata-run"
    ! grep -Eq '\.h$|\.a$|\.pc$' <<<"$runtime_files" || fail "runtime package holds development files"
    for file in include/strata/version.h lib/libstrata.a lib/libstrata_testing.a lib/pkgconfig/strata-heap.pc \
                lib/cmake/strata/strataConfig.cmake; do
        grep -q "/usr/$file$" <<<"$dev_files" || fail "dev package lacks $file"
    done
    [ "$(dpkg-deb -f "$dev" Depends)" = "$(dpkg-deb -f "$runtime" Package) (= $(dpkg-deb -f "$runtime" Version))" ] ||
        fail "dev package does not depend on its runtime"
    root="$scratch/root"
    dpkg -x "$runtime" "$root"
    dpkg -x "$dev" "$root"
    find_package_consumers "$root/usr" "$root/usr/lib" "$scratch/deb-consumer"
    pkg_config_consumers "$root/usr/lib/pkgconfig" "$root/usr/lib" "$scratch/deb-pkg-config"
    # Only the runtime package: strata-run finds libstrata.so.<major> beside it.
    rm -rf "$scratch/runtime-only" && dpkg -x "$runtime" "$scratch/runtime-only"
    "$scratch/runtime-only/usr/bin/strata-run" --stats -- ls / 2>&1 >/dev/null | grep -E '^strata: pid [0-9]+ \(.*\): [1-9]' >/dev/null ||
        fail "strata-run of the runtime package"
fi

# 3. The tarball
(cd "$build" && cpack -G TGZ -B "$scratch/packages" >/dev/null)
mkdir -p "$scratch/tarball"
tar -xzf "$scratch"/packages/strata-*.tar.gz -C "$scratch/tarball"
tar_prefix=$(dirname "$(dirname "$(find "$scratch/tarball" -path '*/include/strata.h')")")
pkg_config_consumers "$tar_prefix/lib/pkgconfig" "$tar_prefix/lib" "$scratch/tar-pkg-config"

echo "install test: install, .deb packages and tarball consumed by find_package, pkg-config (strata, strata-crt, strata-heap, rpath), the examples and strata-run"
