#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Read throughput, start-up time and memory of schemaregd on both stores (STYLE §6: numbers
# live here, never as assertions in tests). Needs a release build (scripts/build.sh) and wrk.
# Usage: bench/http_reads.sh [SECONDS] [CONNECTIONS]     (defaults 10 and 64)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-64}
bin=build/schemaregd
tmp=$(mktemp -d)
chmod 755 "$tmp" # the PostgreSQL cluster runs as its own user
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    bash scripts/pg-local.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ct='Content-Type: application/vnd.schemaregistry.v1+json'

run_store() {
    local name=$1 url=$2 port
    port=$(free_port)
    local t0 t1
    t0=$(date +%s%N)
    "$bin" --listen "127.0.0.1:$port" --database-url "$url" --log-level warn >"$tmp/$name.log" 2>&1 &
    pids+=($!)
    local pid=$!
    until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do sleep 0.002; done
    t1=$(date +%s%N)
    printf '%-8s start-up to ready: %d ms\n' "$name" $(((t1 - t0) / 1000000))
    local schema='{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"id","type":"long"},{"name":"item","type":"string"},{"name":"qty","type":"int","default":1}]}'
    curl -sf -X POST -H "$ct" --data "$(python3 -c 'import json,sys; print(json.dumps({"schema": sys.argv[1]}))' "$schema")" \
        "http://127.0.0.1:$port/subjects/orders-value/versions" >/dev/null
    for path in /schemas/ids/1 "/schemas/ids/1?fetchMaxId=false&subject=orders-value" \
        /subjects/orders-value/versions/latest /subjects /config; do
        local rps
        rps=$(wrk -t2 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}')
        printf '%-8s %-52s %10s req/s\n' "$name" "$path" "$rps"
    done
    printf '%-8s resident memory after the run: %s KiB\n' "$name" "$(ps -o rss= -p "$pid" | tr -d ' ')"
}

echo "schemaregd read benchmark: wrk -t2 -c$conns -d${secs}s, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
run_store sqlite "sqlite:$tmp/sqlite.db"
pgurl=$(bash scripts/pg-local.sh start "$tmp/pg" "$(free_port)")
run_store pg "$pgurl"
