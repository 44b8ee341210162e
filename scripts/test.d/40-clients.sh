#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Real schema-registry clients against the real daemon (tests/clients, docs/clients.md):
# @confluentinc/schemaregistry and @kafkajs/confluent-schema-registry (npm, pinned by
# tests/clients/package-lock.json), Debian's confluent-kafka-python 1.7.0 (new and legacy
# API), and recorded traffic of clients that cannot be installed here (tests/clients/replays).
# Every client runs on the embedded store and on PostgreSQL, at / and at /apis/ccompat/v6,
# each time against a fresh daemon with an empty store, so ids are predictable.
# Run from anywhere; uses build/schemaregd (or $SCHEMAREGD_BIN).
# Optional: CLIENTS_STORES="sqlite pg" (default both), CLIENTS_FILTER=substring of a run name,
# CLIENTS_KEEP=1 keeps the work directory (logs, data) for inspection.
set -euo pipefail
cd "$(dirname "$0")/../.."
daemon=${SCHEMAREGD_BIN:-build/schemaregd}
stores=${CLIENTS_STORES:-sqlite pg}
filter=${CLIENTS_FILTER:-}
py=/usr/bin/python3 # Debian's interpreter: it sees python3-confluent-kafka / python3-avro
clients=tests/clients

[ -x "$daemon" ] || { echo "40-clients: $daemon not found (build first: bash scripts/build.sh release)" >&2; exit 1; }
daemon=$(cd "$(dirname "$daemon")" && pwd)/$(basename "$daemon")

# --- what the clients need ------------------------------------------------------------------
apt_install() {
    [ "$(id -u)" = 0 ] || { echo "40-clients: missing $*; install them (as root)" >&2; exit 1; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then apt_install nodejs npm; fi
if ! "$py" -c 'import confluent_kafka, avro, requests' 2>/dev/null; then
    apt_install python3 python3-confluent-kafka python3-avro python3-requests
fi
command -v curl >/dev/null || apt_install curl
# shellcheck disable=SC2012 # as in scripts/pg-local.sh: the newest installed server version
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

# npm ci reinstalls from the lock file; skip it when node_modules came from this very lock.
lock_sum=$(sha256sum "$clients/package-lock.json" | cut -d' ' -f1)
stamp=$clients/node_modules/.installed-from-lock
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
    echo "npm ci in $clients"
    (cd "$clients" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" >"$stamp"
fi

confluent_ver=$(node -p "require('./$clients/node_modules/@confluentinc/schemaregistry/package.json').version")
kafkajs_ver=$(node -p "require('./$clients/node_modules/@kafkajs/confluent-schema-registry/package.json').version")
python_ver=$("$py" -c 'import confluent_kafka; print(confluent_kafka.version()[0])')
echo "clients: @confluentinc/schemaregistry $confluent_ver, @kafkajs/confluent-schema-registry $kafkajs_ver," \
    "confluent-kafka-python $python_ver ($py), replays: $(cd "$clients/replays" && echo *.json)"

# --- lifecycle ------------------------------------------------------------------------------
work=$(mktemp -d /tmp/schemaregd-clients.XXXXXX)
chmod 755 "$work" # the PostgreSQL cluster runs as an unprivileged user and must reach $work/pg
mkdir -p "$work/logs"
daemon_pid=
pg_started=

cleanup() {
    local rc=$?
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    if [ -n "$pg_started" ]; then bash scripts/pg-local.sh stop "$work/pg" || true; fi
    if [ "${CLIENTS_KEEP:-0}" = 1 ]; then
        echo "40-clients: kept $work"
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_port=
if [[ " $stores " == *" pg "* ]]; then
    pg_port=$(free_port)
    pg_started=1
    bash scripts/pg-local.sh start "$work/pg" "$pg_port" >/dev/null
fi

# start_daemon STORE NAME: a daemon on an empty store; sets daemon_pid, port, daemon_log.
start_daemon() {
    local store=$1 name=$2 args db
    port=$(free_port)
    daemon_log=$work/logs/$name.daemon.log
    if [ "$store" = pg ]; then
        db=c_$(echo "$name" | tr -c 'a-zA-Z0-9\n' _)
        "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres \
            -c "CREATE DATABASE \"$db\"" >/dev/null
        args=(--database-url "postgresql://postgres@127.0.0.1:$pg_port/$db")
    else
        mkdir -p "$work/data/$name"
        args=(--data-dir "$work/data/$name")
    fi
    "$daemon" --listen "127.0.0.1:$port" --log-level warn "${args[@]}" >"$daemon_log" 2>&1 &
    daemon_pid=$!
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && return 0
        kill -0 "$daemon_pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "40-clients: daemon for $name did not become ready:" >&2
    tail -n 20 "$daemon_log" >&2
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=
    return 1
}

# stop_daemon: SIGTERM must end it cleanly (exit 0); anything else is a failure.
stop_daemon() {
    local rc=0
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
        wait "$daemon_pid" 2>/dev/null || true
        daemon_pid=
        echo "daemon exited during the run"
        return 1
    fi
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || rc=$?
    daemon_pid=
    [ "$rc" = 0 ] || { echo "daemon exit status $rc after SIGTERM"; return 1; }
}

# --- the matrix -----------------------------------------------------------------------------
units=(
    "confluent-node|@confluentinc/schemaregistry $confluent_ver|node $clients/node/confluent-schemaregistry.js"
    "kafkajs|@kafkajs/confluent-schema-registry $kafkajs_ver|node $clients/node/kafkajs-schema-registry.js"
    "python|confluent-kafka-python $python_ver SchemaRegistryClient + AvroSerializer|env PYTHONPATH=$clients/python/shim $py $clients/python/test_schema_registry_client.py"
    "python-legacy|confluent-kafka-python $python_ver confluent_kafka.avro|env -u PYTHONPATH $py $clients/python/test_legacy_avro.py"
)
for scenario in "$clients"/replays/*.json; do
    base=$(basename "$scenario" .json)
    units+=("replay-$base|replay $base|$py $clients/replays/run.py @BASE@ $scenario")
done

total_pass=0
total_fail=0
run_count=0
failed_runs=()
summary=()
start=$(date +%s)
for store in $stores; do
    for prefix in / /apis/ccompat/v6; do
        for unit in "${units[@]}"; do
            IFS='|' read -r key label cmd <<<"$unit"
            tag=$([ "$prefix" = / ] && echo root || echo v6)
            name="$store-$tag-$key"
            [ -z "$filter" ] || [[ "$name" == *"$filter"* ]] || continue
            out=$work/logs/$name.out
            run_count=$((run_count + 1))
            if ! start_daemon "$store" "$name"; then
                total_fail=$((total_fail + 1))
                failed_runs+=("$name")
                summary+=("$(printf '%-6s %-17s %-64s daemon did not start' "$store" "$prefix" "$label")")
                echo "${summary[-1]}"
                continue
            fi
            url="http://127.0.0.1:$port${prefix%/}"
            if [[ "$cmd" == *@BASE@* ]]; then
                run=${cmd//@BASE@/$url}
            else
                run="$cmd $url"
            fi
            rc=0
            # shellcheck disable=SC2086 # $run is a command line built above from fixed words
            timeout 120 $run >"$out" 2>&1 || rc=$?
            stop_daemon >>"$out" 2>&1 || rc=1
            counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1 || true)
            pass=0
            fail=0
            if [ -n "$counts" ]; then
                pass=${counts%% passed*}
                fail=${counts#*passed, }
                fail=${fail%% failed*}
            fi
            # A crash or a non-zero exit without a failed check still counts as one failure.
            if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then fail=1; fi
            total_pass=$((total_pass + pass))
            total_fail=$((total_fail + fail))
            line=$(printf '%-6s %-17s %-64s %4d passed, %d failed' "$store" "$prefix" "$label" "$pass" "$fail")
            echo "$line"
            if [ "$fail" != 0 ]; then
                summary+=("$line")
                failed_runs+=("$name")
                grep -E '^(FAIL|Traceback|  File|[A-Za-z]*Error)' "$out" | head -n 40 | sed 's/^/    /'
                echo "    (exit $rc; full output: $out; daemon log: $daemon_log)"
                tail -n 5 "$daemon_log" | sed 's/^/    daemon| /'
            fi
        done
    done
done

echo
echo "=== client tests: $run_count runs in $(($(date +%s) - start)) s"
if [ ${#failed_runs[@]} -gt 0 ]; then
    echo "failed runs (logs in $work/logs):"
    printf '  %s\n' "${summary[@]}"
    CLIENTS_KEEP=${CLIENTS_KEEP:-1} # keep the logs named above
fi
echo "clients: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ] && [ "$total_pass" -gt 0 ]
