#!/usr/bin/env bash
# Benchmark: barge-in latency on a noisy line (-30 dBFS white noise), batch Whisper vs live nova-3, against the
# real server and vendor fakes. Usage: scripts/bench-barge-in.sh [barge-ins per mode]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
mvn -B -ntp -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt
exec java -Djava.util.logging.config.file=src/test/resources/logging-bench.properties \
     -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
     dev.voiceagent.e2e.BargeInBenchmark "$@"
