#!/usr/bin/env bash
# Runs the whole test suite: the Maven build (unit tests and full-socket conversations against local fake
# vendors), then the k6 load scripts' type-check against the k6 API types (loadtest/typecheck.sh).
# Fails if either fails. The load run itself (loadtest/run.sh) is not part of it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
mvn -B -ntp verify "$@"
bash loadtest/typecheck.sh
