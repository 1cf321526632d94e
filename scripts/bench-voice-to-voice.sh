#!/usr/bin/env bash
# Benchmark (issue "Speak sooner"): voice-to-voice latency with speculation off and on, against the real
# server and vendor fakes at STT 350 ms / LLM first token 300 ms / TTS first byte 200 ms.
# Usage: scripts/bench-voice-to-voice.sh [calls] [turns] [speculateAfterMs]   (defaults: 1 call, 8 turns, 200 ms)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
mvn -B -ntp -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt
exec java -Djava.util.logging.config.file=src/test/resources/logging-bench.properties \
     -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
     dev.voiceagent.e2e.VoiceToVoiceBenchmark "$@"
