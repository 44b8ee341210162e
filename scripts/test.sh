#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is needed, builds, and runs every test. This is the README's test command
# and what CI runs (.ci/run). Stages:
#   1. formatting (clang-format) and a -Werror release build
#   2. an ASan+UBSan build; unit tests (Avro model, utilities, SQLite store) in both builds
#   3. integration suites against the sanitized daemon: PostgreSQL and the embedded store,
#      at / and /apis/ccompat/v6 (and a /apis/ccompat/v7 pass)
#   4. further suites added by later steps (clients, concurrency, faults)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stage() { printf '\n=== %s (%ds)\n' "$*" $(($(date +%s) - start)); }

stage "install dependencies"
bash scripts/install-deps.sh

stage "formatting"
mapfile -t sources < <(git ls-files '*.c' '*.h')
clang-format --dry-run --Werror "${sources[@]}"

stage "release build (-Werror)"
bash scripts/build.sh release
stage "sanitizer build"
bash scripts/build.sh asan

stage "unit tests"
(cd build && ctest --output-on-failure)
(cd build-asan && ctest --output-on-failure)

stage "integration: PostgreSQL (sanitized daemon)"
build-asan/tests/sr_integration --store pg --daemon build-asan/schemaregd \
    --prefix / --prefix /apis/ccompat/v6 --prefix /apis/ccompat/v7
stage "integration: embedded SQLite (sanitized daemon)"
build-asan/tests/sr_integration --store sqlite --daemon build-asan/schemaregd \
    --prefix / --prefix /apis/ccompat/v6
stage "integration: embedded SQLite (release daemon)"
build/tests/sr_integration --store sqlite --daemon build/schemaregd --prefix /

stage "container build steps (docker/build-steps.sh)"
container=$(mktemp -d)
bash docker/build-steps.sh build "$container"
bash docker/build-steps.sh check "$container"
rm -rf "$container"

for extra in scripts/test.d/*.sh; do
    [ -e "$extra" ] || continue
    stage "$(basename "$extra" .sh)"
    bash "$extra"
done

stage "all tests passed"
