#!/usr/bin/env bash
# Runs a benchmark main class from the test sources (they drive the real server with the vendor fakes).
# Usage: scripts/bench-java.sh <main class> [args...]   (used by the bench-*.sh scripts)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
mvn -B -ntp -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt
main=$1
shift
exec java -Djava.util.logging.config.file=src/test/resources/logging-bench.properties \
     -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" "$main" "$@"
