#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Many instances, one database (tests/concurrency, docs/architecture.md "Write path and
# concurrency"): three daemons on one PostgreSQL database under dozens of concurrent clients,
# checked in SQL and through every instance; PostgreSQL restarted, crashed and killed under
# load; a statement timeout behind a table lock; a daemon started before its database;
# SIGTERM/SIGINT draining; five instances migrating an empty database at once.
# Uses the sanitized daemon (build-asan/schemaregd, else build/schemaregd, or $SCHEMAREGD_BIN):
# any sanitizer report in a daemon log fails the stage.
# Optional: CONC_DURATION=seconds of load per run (default 20), CONC_CLIENTS (36),
# CONC_RUNS=N runs of the load test in a row (default 1), CONC_ONLY=load|faults|lifecycle.
set -uo pipefail
cd "$(dirname "$0")/../.."
py=/usr/bin/python3
daemon=${SCHEMAREGD_BIN:-}
if [ -z "$daemon" ]; then
    daemon=build-asan/schemaregd
    [ -x "$daemon" ] || daemon=build/schemaregd
fi
[ -x "$daemon" ] || { echo "50-concurrency: $daemon not found (bash scripts/build.sh asan)" >&2; exit 1; }
daemon=$(cd "$(dirname "$daemon")" && pwd)/$(basename "$daemon")
command -v psql >/dev/null || { echo "50-concurrency: psql not found (apt-get install postgresql)" >&2; exit 1; }

parts=(load faults lifecycle)
[ -z "${CONC_ONLY:-}" ] || parts=("$CONC_ONLY")
declare -A cmd=(
    [load]="tests/concurrency/t_load.py --duration ${CONC_DURATION:-20} --clients ${CONC_CLIENTS:-36} --runs ${CONC_RUNS:-1}"
    [faults]="tests/concurrency/t_faults.py"
    [lifecycle]="tests/concurrency/t_lifecycle.py"
)
results=()
failed=0
start=$(date +%s)
for part in "${parts[@]}"; do
    t0=$(date +%s)
    echo "--- $part"
    # Bounded even if something hangs: the load part scales with its runs.
    limit=$((240 + ${CONC_RUNS:-1} * (${CONC_DURATION:-20} + 60)))
    # shellcheck disable=SC2086 # fixed words built above
    timeout "$limit" "$py" ${cmd[$part]} --daemon "$daemon"
    rc=$?
    [ "$rc" = 124 ] && echo "50-concurrency: $part did not finish within $limit s" >&2
    results+=("$(printf '%-10s %-6s %3d s' "$part" "$([ "$rc" = 0 ] && echo ok || echo FAIL)" $(($(date +%s) - t0)))")
    [ "$rc" = 0 ] || failed=1
done
echo
echo "=== concurrency: $(($(date +%s) - start)) s, daemon $daemon"
printf '  %s\n' "${results[@]}"
exit "$failed"
