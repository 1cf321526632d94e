#!/usr/bin/env bash
# Benchmark: voice-to-voice latency with batch Whisper and with live nova-3 transcription, against the real
# server and vendor fakes (Whisper 350 ms; nova-3 words 150 ms behind, Finalize 75 ms; LLM first token 300 ms;
# TTS first byte 200 ms). Barge-in on a noisy line: scripts/bench-barge-in.sh.
# Usage: scripts/bench-voice-to-voice.sh [calls] [turns] [modes]   (defaults: 1 call, 10 turns, batch,nova3)
exec "$(dirname "$0")/bench-java.sh" dev.voiceagent.e2e.VoiceToVoiceBenchmark "$@"
