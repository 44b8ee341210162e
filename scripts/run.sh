#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is needed, builds, and runs the registry on 127.0.0.1:8081 in the foreground
# (Ctrl-C stops it). Default: the embedded store in ./data (no database server needed).
# With --postgres: a private PostgreSQL cluster in ./data/pg, run as an unprivileged user.
# Any further arguments go to schemaregd (see build/schemaregd --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
mkdir -p data
args=(--listen 127.0.0.1:8081)
if [ "${1:-}" = "--postgres" ]; then
    shift
    url=$(bash scripts/pg-local.sh start "$PWD/data/pg" 55432)
    args+=(--database-url "$url")
else
    args+=(--data-dir "$PWD/data")
fi
exec build/schemaregd "${args[@]}" "$@"
