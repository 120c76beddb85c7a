#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-builds CMocka as a static library for x86_64-w64-mingw32 into PREFIX
# (PREFIX/include/cmocka*.h, PREFIX/lib/libcmocka-static.a). Debian packages
# no mingw CMocka, so the source comes from Debian's source archive, through a
# deb-src entry that exists only while it is fetched. Does nothing when PREFIX
# already holds the library.
# Usage: scripts/mingw-cmocka.sh PREFIX
set -euo pipefail
prefix=${1:?usage: mingw-cmocka.sh PREFIX}
if [ -f "$prefix/lib/libcmocka-static.a" ]; then
    exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/packages.sh"
need_packages ca-certificates cmake make xz-utils gcc-mingw-w64-x86-64 dpkg-dev

work=$(mktemp -d)
entry=/etc/apt/sources.list.d/zz-strata-cmocka-src.sources
cleanup() {
    rm -f "$entry"
    rm -rf "$work"
}
trap cleanup EXIT

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo tee "$entry" >/dev/null <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
$sudo apt-get update -qq
# apt drops privileges to _apt for downloads: it needs a folder it may write.
$sudo chown _apt "$work" 2>/dev/null || chmod 777 "$work"
(cd "$work" && apt-get source --download-only -qq cmocka >/dev/null)
$sudo rm -f "$entry"
$sudo apt-get update -qq

tar -C "$work" -xf "$(ls "$work"/cmocka_*.orig.tar.* | grep -v "\.asc$" | head -n 1)"
source_dir=$(find "$work" -maxdepth 1 -type d -name 'cmocka-*' | head -n 1)
cmake -S "$source_dir" -B "$work/build" \
      -DCMAKE_TOOLCHAIN_FILE="$here/cmake/toolchain-mingw-w64-x86_64.cmake" \
      -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" --target cmocka-static -j"$(nproc)" >/dev/null

# CMocka's installed CMake config is wrong for mingw: copy the two files by hand.
mkdir -p "$prefix/include" "$prefix/lib"
cp "$source_dir"/include/cmocka*.h "$prefix/include/"
cp "$work/build/src/libcmocka-static.a" "$prefix/lib/"
echo "CMocka for mingw: $prefix"
