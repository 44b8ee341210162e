#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages that building, running and testing schemaregd need.
# Idempotent: packages already present are skipped by apt; safe to run on every CI start.
set -euo pipefail

# --build-only: just what compiling the daemon needs (the container's build stage).
build_pkgs=(build-essential cmake pkg-config git ca-certificates
            libmicrohttpd-dev libjansson-dev libpq-dev libcurl4-openssl-dev libsqlite3-dev)
test_pkgs=(curl postgresql postgresql-contrib sqlite3
           python3-avro python3-confluent-kafka python3-requests
           wrk valgrind clang-format)
pkgs=("${build_pkgs[@]}")
[ "${1:-}" = "--build-only" ] || pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (for the client tests) come from Debian unless a newer node is already here.
if [ "${1:-}" != "--build-only" ]; then
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
