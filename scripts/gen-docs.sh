#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates the reference pages that come from the code's tables:
#   docs/configuration.md  from the option table (schemaregd --config-markdown)
#   docs/errors.md         from include/schemaregd/errors.def
# Usage: scripts/gen-docs.sh [--check] [PATH-TO-schemaregd]   (--check: fail if they differ)
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = "--check" ] && { check=1; shift; }
bin=${1:-build/schemaregd}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

{
    echo "# Configuration"
    echo
    echo "Generated from the option table in \`src/config/config.c\` by \`scripts/gen-docs.sh\`;"
    echo "do not edit by hand. Every option is a flag (\`--name=value\` or \`--name value\`) and an"
    echo "environment variable; flags win over environment variables, which win over defaults."
    echo "Three Apicurio variables are honoured too (REGISTRY_DATASOURCE_URL, _USERNAME, _PASSWORD),"
    echo "so schemaregd drops into an Apicurio deployment unchanged. Secrets never appear in logs."
    echo
    "$bin" --config-markdown
} >"$out/configuration.md"

{
    echo "# Errors"
    echo
    echo "Generated from \`include/schemaregd/errors.def\` by \`scripts/gen-docs.sh\`; do not edit by"
    echo "hand. Every error is answered as \`{\"error_code\": N, \"message\": \"...\"}\` with the HTTP"
    echo "status below. Where Confluent has a fixed text, schemaregd sends exactly that text."
    echo "5xx errors never carry internal detail; the detail is logged with the request id."
    echo
    echo "| error_code | HTTP | Name | Message |"
    echo "|---|---|---|---|"
    sed -n 's/^SR_ERROR(\([A-Z_]*\), \([0-9]*\), \([0-9]*\), "\(.*\)")$/| \2 | \3 | \1 | \4 |/p' \
        include/schemaregd/errors.def | sed 's/\\"/"/g'
    echo
    echo "\`409\` becomes \`40901\` with \`--incompatible-error-code 40901\` (Confluent 8.0.4+)."
} >"$out/errors.md"

status=0
for f in configuration.md errors.md; do
    if [ "$check" = 1 ]; then
        if ! diff -u "docs/$f" "$out/$f" >&2; then
            echo "docs/$f is out of date: run scripts/gen-docs.sh" >&2
            status=1
        fi
    else
        cp "$out/$f" "docs/$f"
    fi
done
exit "$status"
