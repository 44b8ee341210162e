#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Differential test of the Avro compatibility checker against python3-avro, Apache Avro's own
# Python port of Java's SchemaCompatibility: 5000 random reader/writer pairs from a fixed
# seed; every disagreement must be a known python3-avro deviation from Java 1.11
# (tests/differential/README.md). Uses build/ (release) and, when present, build-asan/.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=/usr/bin/python3 # Debian's interpreter: the one that sees python3-avro
seed=20240611
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "$py" -c 'import avro.compatibility' 2>/dev/null; then
    echo "30-differential: $py cannot import avro.compatibility (install python3-avro)" >&2
    exit 1
fi

# The driver comes from the CMake build; without the target, build it from the libraries.
driver=build/tests/differential/diff_driver
if [ ! -x "$driver" ]; then
    if ! cmake --build build --target diff_driver >/dev/null 2>&1; then
        [ -f build/libsr_avro.a ] || bash scripts/build.sh release >/dev/null
        cmake --build build --target sr_avro sr_util >/dev/null
        driver=$work/diff_driver
        # shellcheck disable=SC2046
        cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude tests/differential/diff_driver.c \
            build/libsr_avro.a build/libsr_util.a $(pkg-config --cflags --libs jansson) \
            -lm -pthread -o "$driver"
    fi
fi

"$py" tests/differential/gen_pairs.py --count 2500 --seed "$seed" >"$work/pairs.jsonl"
"$py" tests/differential/compare.py --driver "$driver" --pairs "$work/pairs.jsonl"

# The same pairs through the sanitized driver: a memory error or leak fails it, and its
# verdicts must be byte-identical to the release build's.
asan_driver=build-asan/tests/differential/diff_driver
if [ -x "$asan_driver" ]; then
    "$driver" <"$work/pairs.jsonl" >"$work/release.out"
    "$asan_driver" <"$work/pairs.jsonl" >"$work/asan.out"
    cmp "$work/release.out" "$work/asan.out"
    echo "sanitized driver: $(wc -l <"$work/asan.out") pairs, clean and identical"
fi
