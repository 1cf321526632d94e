#!/usr/bin/env bash
# Runs the whole test suite (unit tests and full-socket conversations against local fake vendors).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
exec mvn -B -ntp verify "$@"
