#!/usr/bin/env bash
# Trains the server's ahead-of-time cache on call traffic (JDK 25: JEP 483 classes loaded and linked, JEP 515
# method profiles): starts the fake vendors, starts the server with -XX:AOTCacheOutput, puts TRAIN_CALLS simulated
# calls of TRAIN_TURNS turns through it, then stops it with SIGTERM, which is when the JVM writes the cache. A server
# started with -XX:AOTCache=<that file> then handles its first calls with classes already linked and its hot methods
# compiled early from the recorded profiles, instead of spending its first half minute under load in the JIT
# compiler (see loadtest/README.md, "A cold server, and a cache trained on calls").
#
#   loadtest/aot-train.sh <server jar> <cache file to write> <classpath of the load tools>
#
# The Dockerfile runs it in the runtime image, so it needs only bash, grep and a java (a JRE is enough), which must be
# the one that will run the server (a cache is only valid for the JVM that wrote it), and on its class path the load
# tools beside the server jar and its libs/ (they need nothing else). Locally, after a build:
#   loadtest/aot-train.sh target/voice-agent.jar target/voice-agent.aot \
#     "target/test-classes:target/voice-agent.jar:target/libs/*"
# Knobs (environment): TRAIN_CALLS [100], TRAIN_TURNS [4], TRAIN_RAMP_SECONDS [10], TRAIN_PORT [18080],
# FAKES_BASE_PORT [18090], JAVA [java].
# Everything (persona, logs, the throwaway embedded database) lives in a temporary directory that is removed at the
# end; the logs are printed if the training fails. Exit status 0 only when the cache was written.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 <server jar> <cache file> <load tools classpath>" >&2
  exit 2
fi
JAR=$1 CACHE=$2 CP=$3
JAVA=${JAVA:-java}
PORT=${TRAIN_PORT:-18080}
CALLS=${TRAIN_CALLS:-100}
export FAKES_BASE_PORT=${FAKES_BASE_PORT:-18090}
. "$(dirname "$0")/lib.sh"

WORK=$(mktemp -d)
FAKES_PID=""
SERVER_PID=""
stop() {
  for pid in $SERVER_PID $FAKES_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in $SERVER_PID $FAKES_PID; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap stop EXIT
fail() {
  echo "aot-train: $*" >&2
  for log in fakes.out server.log simulator.out; do
    [ -f "$WORK/$log" ] && { echo "--- $log (last lines)" >&2; tail -n 30 "$WORK/$log" >&2; }
  done
  exit 1
}
# The server's health page answers 200: bash's /dev/tcp, so no curl is needed in a JRE image.
healthy() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$PORT" \
      && printf 'GET /observe/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3 \
      && head -n 1 <&3 | grep -q ' 200 ' ) 2>/dev/null
}

"$JAVA" -cp "$CP" dev.voiceagent.loadtest.FakeVendorsMain > "$WORK/fakes.out" 2>&1 &
FAKES_PID=$!
wait_ready 60 "$FAKES_PID" grep -q '^fakes ready' "$WORK/fakes.out" || fail "the fake vendors did not start"

write_load_persona "$WORK/personas.yaml"
(
  export_fakes_env "$WORK/fakes.out"
  export PORT PUBLIC_BASE_URL=https://voice-agent.loadtest.invalid PERSONAS_FILE="$WORK/personas.yaml" \
         DATA_DIR="$WORK/data" MAX_CONCURRENT_CALLS=1000
  exec "$JAVA" -XX:AOTCacheOutput="$CACHE" -Dserver.host=127.0.0.1 -jar "$JAR" \
    > "$WORK/server.out" 2> "$WORK/server.log"
) &
SERVER_PID=$!
wait_ready 120 "$SERVER_PID" healthy || fail "the server did not come up on port $PORT"
sleep 2   # the startup warm-up synthesizes the persona's phrases

# The simulator's own targets (gaps, serverMs, even a failed call or two) may be missed on a busy build machine
# (exit 3): a training run only needs the calls to happen. The simulator not running, or fewer than half of the
# calls going through (the jar cannot take calls), fails the training.
set +e
SERVER_URL="http://127.0.0.1:$PORT" CALLS=$CALLS TURNS=${TRAIN_TURNS:-4} RAMP_SECONDS=${TRAIN_RAMP_SECONDS:-10} \
  WARMUP_CALLS=0 LISTEN_SECONDS=1 "$JAVA" -cp "$CP" dev.voiceagent.loadtest.CallSimulator > "$WORK/simulator.out" 2>&1
status=$?
set -e
[ $status -eq 0 ] || [ $status -eq 3 ] || fail "the call simulator failed (exit $status)"
summary=$(grep -E '^calls ' "$WORK/simulator.out" || true)
echo "aot-train: $summary" >&2
ok=$(sed -n 's/^calls *\([0-9]*\) ok.*/\1/p' <<< "$summary")
[ -n "$ok" ] && [ $((ok * 2)) -ge "$CALLS" ] || fail "too few calls went through: ${summary:-no summary}"

# SIGTERM: the server drains (its calls are over) and exits; the JVM then records what it loaded and compiled and
# a child JVM assembles the cache.
kill "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=""
grep -q 'AOTCache creation is complete' "$WORK/server.out" || fail "the JVM did not write the cache $CACHE"
[ -s "$CACHE" ] || fail "the cache $CACHE is empty or missing"
echo "aot-train: wrote $CACHE ($(wc -c < "$CACHE") bytes)" >&2
