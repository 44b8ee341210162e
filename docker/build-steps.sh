#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The container's build steps, shared by docker/Dockerfile and the test command (no Docker
# engine runs here, so CI proves these steps instead of the image):
#   build PREFIX   configure a release build and install schemaregd into PREFIX/bin
#   check PREFIX   the binary runs, and every shared library it needs comes from a package
#                  in RUNTIME_PACKAGES (what the runtime stage installs)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNTIME_PACKAGES="libmicrohttpd12 libjansson4 libpq5 libsqlite3-0 ca-certificates"
cmd=${1:-}
prefix=${2:-/usr/local}
case "$cmd" in
build)
    cmake -S . -B build-container -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
    cmake --build build-container -j"$(nproc 2>/dev/null || echo 2)"
    cmake --install build-container >/dev/null
    ;;
check)
    bin="$prefix/bin/schemaregd"
    "$bin" --version
    # Libraries the runtime packages bring, plus everything they depend on.
    allowed=$(mktemp)
    for p in $RUNTIME_PACKAGES; do
        dpkg -L "$p" 2>/dev/null | grep -E '\.so' || true
    done >"$allowed"
    missing=0
    while read -r lib path; do
        [ -n "$path" ] || continue
        case "$lib" in libc.so.*|libm.so.*|libresolv.so.*|ld-linux*|linux-vdso*) continue ;; esac
        # Direct dependencies only: the packages' own dependencies come with them.
        if ! grep -q "/$lib\$" "$allowed" && readelf -d "$bin" | grep -q "\[$lib\]"; then
            echo "container: $lib ($path) is not provided by: $RUNTIME_PACKAGES" >&2
            missing=1
        fi
    done < <(ldd "$bin" | awk '/=>/ {print $1, $3}')
    rm -f "$allowed"
    [ "$missing" = 0 ] && echo "container: runtime libraries covered by: $RUNTIME_PACKAGES"
    exit "$missing"
    ;;
runtime-packages)
    echo "$RUNTIME_PACKAGES"
    ;;
*)
    echo "usage: $0 build|check PREFIX | runtime-packages" >&2
    exit 2
    ;;
esac
