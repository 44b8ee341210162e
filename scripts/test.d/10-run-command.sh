#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's run command and the zero-setup default, as a user meets them:
#   1. scripts/run.sh on a new database answers the README's curl with {"id":1};
#   2. `schemaregd --listen ...` in an empty directory (no flags about storage) creates
#      ./schemaregd.db, and what it acknowledged survives a restart.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() {
    for _ in $(seq 1 500); do
        curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return 0
        sleep 0.02
    done
    echo "run-command: daemon on port $1 never became ready" >&2
    return 1
}
fail() { echo "run-command: FAIL: $*" >&2; exit 1; }

# 1. The README's run command (later flags override the script's own).
port=$(free_port)
bash scripts/run.sh --listen "127.0.0.1:$port" --data-dir "$tmp/run" >"$tmp/run.log" 2>&1 &
pid=$!
wait_ready "$port"
got=$(curl -s -X POST -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    --data '{"schema":"{\"type\":\"string\"}"}' "localhost:$port/subjects/t-value/versions")
[ "$got" = '{"id":1}' ] || fail "scripts/run.sh answered $got"
kill -TERM "$pid"
wait "$pid" || fail "scripts/run.sh's daemon did not exit 0 on SIGTERM"
pid=
echo "run-command: scripts/run.sh on a new database answered {\"id\":1}"

# 2. Zero setup: an empty directory, no storage flags.
mkdir "$tmp/empty"
cd "$tmp/empty"
port=$(free_port)
"$root/build/schemaregd" --listen "127.0.0.1:$port" >"$tmp/plain.log" 2>&1 &
pid=$!
wait_ready "$port"
[ -f schemaregd.db ] || fail "no schemaregd.db in the working directory"
got=$(curl -s -X POST -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    --data '{"schema":"{\"type\":\"int\"}"}' "localhost:$port/subjects/n/versions")
[ "$got" = '{"id":1}' ] || fail "first registration answered $got"
kill -TERM "$pid"
wait "$pid" || fail "daemon did not exit 0 on SIGTERM"
"$root/build/schemaregd" --listen "127.0.0.1:$port" >>"$tmp/plain.log" 2>&1 &
pid=$!
wait_ready "$port"
got=$(curl -s "localhost:$port/subjects/n/versions/1/schema")
[ "$got" = '"int"' ] || fail "after a restart /subjects/n/versions/1/schema answered $got"
echo "run-command: schemaregd in an empty directory kept its data in ./schemaregd.db across a restart"
