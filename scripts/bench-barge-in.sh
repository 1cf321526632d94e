#!/usr/bin/env bash
# Benchmark: barge-in latency on a noisy line (-30 dBFS white noise), batch Whisper vs live nova-3, against the
# real server and vendor fakes. Usage: scripts/bench-barge-in.sh [barge-ins per mode]   (default 10)
exec "$(dirname "$0")/bench-java.sh" dev.voiceagent.e2e.BargeInBenchmark "$@"
