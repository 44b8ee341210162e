#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds schemaregd. Usage: scripts/build.sh [release|asan]  (default release)
#   release: build/        -O2 with debug info, warnings are errors
#   asan:    build-asan/   AddressSanitizer + UndefinedBehaviorSanitizer, for the test suite
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
jobs=$(nproc 2>/dev/null || echo 2)
case "$kind" in
release)
    cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSR_WERROR=ON >/dev/null
    cmake --build build -j"$jobs"
    ;;
asan)
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSR_SANITIZE=ON -DSR_WERROR=ON >/dev/null
    cmake --build build-asan -j"$jobs"
    ;;
*)
    echo "usage: $0 [release|asan]" >&2
    exit 2
    ;;
esac
