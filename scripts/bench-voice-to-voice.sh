#!/usr/bin/env bash
# Benchmark: voice-to-voice latency with batch Whisper and with live nova-3 transcription, against the real
# server and vendor fakes (Whisper 350 ms; nova-3 words 150 ms behind, Finalize 75 ms; LLM first token 300 ms;
# TTS first byte 200 ms). Then barge-in latency on a noisy line (scripts/bench-barge-in.sh).
# Usage: scripts/bench-voice-to-voice.sh [calls] [turns] [modes]   (defaults: 1 call, 10 turns, batch,nova3)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
mvn -B -ntp -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt
exec java -Djava.util.logging.config.file=src/test/resources/logging-bench.properties \
     -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
     dev.voiceagent.e2e.VoiceToVoiceBenchmark "$@"
