#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A private PostgreSQL cluster for development and tests, run as an unprivileged user
# (initdb refuses root). Usage:
#   scripts/pg-local.sh start DIR PORT   # creates the cluster if needed, starts it, prints its URL
#   scripts/pg-local.sh stop DIR
# The cluster listens on 127.0.0.1 only; fsync is off unless PG_FSYNC=on (tests do not need
# durability across machine crashes; the durability test kills the daemon, not the host).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
port=${3:-55432}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg-local: PostgreSQL server binaries not found" >&2; exit 1; }
runas=${PG_USER:-schemaregd-pg}

as_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$runas" -- "$@"
    else
        "$@"
    fi
}

if [ "$(id -u)" = 0 ] && ! id "$runas" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$runas"
fi

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" = 0 ] && chown "$runas" "$dir"
    chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
        as_user "$bindir/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
            || { cat "$dir.initdb.log" >&2; exit 1; }
        cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = ${PG_FSYNC:-off}
synchronous_commit = ${PG_FSYNC:-off}
full_page_writes = ${PG_FSYNC:-off}
max_connections = 300
shared_buffers = 64MB
CONF
    fi
    if ! as_user "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_user "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 -o "-p $port" start >/dev/null
    fi
    as_user "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atq \
        -c "SELECT 1 FROM pg_database WHERE datname='registry'" | grep -q 1 \
        || as_user "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres registry
    echo "postgresql://postgres@127.0.0.1:$port/registry"
    ;;
stop)
    [ -d "$dir" ] && as_user "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
