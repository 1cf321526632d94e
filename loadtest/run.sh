#!/usr/bin/env bash
# One command for a local load run: builds the server and the load tools, starts the fake vendors
# (loadtest/java/.../FakeVendorsMain), the server jar on 127.0.0.1 pointed at them, and the call simulator
# (CallSimulator), prints the report, and always stops what it started.
#
#   CALLS=100 TURNS=3 RAMP_SECONDS=20 loadtest/run.sh
#
# Knobs (environment): everything CallSimulator and FakeVendorsMain read (CALLS, TURNS, RAMP_SECONDS, PAUSE_MS,
# CLIPS, REPLY_TIMEOUT_MS, QUIET_MS, MAX_SECONDS; STT_MS, LLM_FIRST_TOKEN_MS, LLM_TOKEN_MS, TTS_FIRST_BYTE_MS,
# TTS_CHUNK_MS, GHL_MS; TRANSPORT=media-stream|conversation-relay), plus
#   PORT             server port [18080]        FAKES_BASE_PORT  fakes use the 4 ports above it [18090]
#   SERVER_JAVA_OPTS extra JVM options for the server (e.g. -XX:StartFlightRecording=...)
#   MAX_CONCURRENT_CALLS the server's call cap [the larger of CALLS and 200]
#   SIM_JAVA_OPTS    extra JVM options for the simulator     FAKES_JAVA_OPTS  the same for the fakes
#   SKIP_BUILD=1     reuse target/ from an earlier run
#   SERVER_JAR       run this server jar instead of target/voice-agent.jar (an A/B comparison of two builds under
#                    the same load tools; build the other one elsewhere, e.g. from `git archive <commit>`)
#   WAIT_FOR_IDLE=N  wait up to N seconds for the machine to be idle (other processes skew the figures)
#   SERVER_CPUS, SIM_CPUS  pin the server / the simulator and fakes to these cores (taskset -c), e.g. 0 and 1:
#                    what one dedicated core of server can carry, with the load generator kept off it
#   GENERATOR_NICE=N run the simulator and fakes at this nice value (e.g. -5; below 0 needs root): on shared cores
#                    the load generator then gets the CPU first, so a stall of its own no longer shows up as the
#                    server's audio gap, and the server is the one that runs short when the machine is busy
#   STOP_SECONDS=N   how long the server and the fakes get to exit after SIGTERM before SIGKILL [5] (a training run
#                    with -XX:AOTCacheOutput writes its cache on the way out and needs longer)
#   MODE=soak        the soak test instead (loadtest/soak.sh): SoakSimulator keeps CALLS calls going for SOAK_MINUTES
#                    with turnover and samples the server every SAMPLE_SECONDS (see loadtest/README.md, "Soak")
# Logs and the report stay in target/loadtest/<time>/. Exit status: the simulator's (0 = every target met,
# 3 = a target missed), or 1 if something could not start.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
. loadtest/lib.sh

PORT=${PORT:-18080}
FAKES_BASE_PORT=${FAKES_BASE_PORT:-18090}
export FAKES_BASE_PORT
PUBLIC_BASE_URL=https://voice-agent.loadtest.invalid   # never resolved: only signed, as Twilio would sign it
RUN_DIR="target/loadtest/$(date +%Y%m%d-%H%M%S)"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f target/voice-agent.jar ] || [ ! -f target/loadtest-classpath.txt ]; then
  echo "loadtest: building the server jar and the load tools..." >&2
  mvn -B -ntp -q -DskipTests package
  mvn -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/loadtest-classpath.txt
fi
mkdir -p "$RUN_DIR"

# Figures are only comparable on an otherwise idle machine: say so when something else is busy.
busy_percent() {  # whole-machine CPU busy over 2 s, from /proc/stat
  local a b
  a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat); sleep 2
  b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  echo "$a $b" | awk '{ if ($4 > $2) printf "%d", 100 * ($3 - $1) / ($4 - $2); else print 0 }'
}
idle_check=$(busy_percent)
waited=0
while [ "$idle_check" -gt 15 ] && [ "$waited" -lt "${WAIT_FOR_IDLE:-0}" ]; do
  echo "loadtest: machine ${idle_check} % busy; waiting for it to be idle (WAIT_FOR_IDLE=${WAIT_FOR_IDLE}s)" >&2
  sleep 8; waited=$((waited + 10)); idle_check=$(busy_percent)
done
if [ "$idle_check" -gt 15 ]; then
  echo "loadtest: WARNING: the machine is already ${idle_check} % busy; other processes will skew the figures" >&2
fi
CP="target/test-classes:target/classes:$(cat target/loadtest-classpath.txt)"

FAKES_PID=""
SERVER_PID=""
SERVER_PIN=${SERVER_CPUS:+taskset -c $SERVER_CPUS}
SIM_PIN=${SIM_CPUS:+taskset -c $SIM_CPUS}
if [ -n "${GENERATOR_NICE:-}" ]; then
  SIM_PIN="nice -n $GENERATOR_NICE ${SIM_PIN}"
fi
cleanup() {
  if [ -n "$FAKES_PID" ] && [ -r "/proc/$FAKES_PID/stat" ]; then
    # utime + stime of the fakes (fields 14, 15; ticks of 1/100 s): their share of the machine.
    echo "fake vendors used $(awk '{print ($14 + $15) / 100}' "/proc/$FAKES_PID/stat") s of CPU" >&2
  fi
  # Only the two processes this script started, by their ids.
  for pid in $SERVER_PID $FAKES_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $SERVER_PID $FAKES_PID; do
    for _ in $(seq $(( ${STOP_SECONDS:-5} * 10 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ -n "$FAKES_PID" ]; then
    grep '^fake vendor requests' "$RUN_DIR/fakes.out" >&2 || true
  fi
  echo "loadtest: logs in $RUN_DIR" >&2
}
trap cleanup EXIT

# shellcheck disable=SC2086
$SIM_PIN java ${FAKES_JAVA_OPTS:-} -cp "$CP" dev.voiceagent.loadtest.FakeVendorsMain > "$RUN_DIR/fakes.out" 2>&1 &
FAKES_PID=$!
wait_ready 30 "$FAKES_PID" grep -q '^fakes ready' "$RUN_DIR/fakes.out" \
  || { echo "loadtest: the fake vendors did not start" >&2; cat "$RUN_DIR/fakes.out" >&2; exit 1; }

write_load_persona "$RUN_DIR/personas.yaml"

# The server: its env is the fakes' (NAME=value lines) plus ours; it binds loopback only.
(
  export_fakes_env "$RUN_DIR/fakes.out"
  # A fresh embedded PostgreSQL per run (DATABASE_URL unset): calls, turns and the CRM outbox are stored as in production.
  export PORT PUBLIC_BASE_URL PERSONAS_FILE="$RUN_DIR/personas.yaml" DATA_DIR="$RUN_DIR/data"
  # The server's admission cap (default 200) must not refuse the simulated calls: at least CALLS, unless set.
  calls=${CALLS:-100}
  export MAX_CONCURRENT_CALLS="${MAX_CONCURRENT_CALLS:-$(( calls > 200 ? calls : 200 ))}"
  # shellcheck disable=SC2086
  exec $SERVER_PIN java -Dserver.host=127.0.0.1 ${SERVER_JAVA_OPTS:-} -jar "${SERVER_JAR:-target/voice-agent.jar}" > "$RUN_DIR/server.out" 2> "$RUN_DIR/server.log"
) &
SERVER_PID=$!
wait_ready 60 "$SERVER_PID" curl -sf -o /dev/null "http://127.0.0.1:$PORT/observe/health" \
  || { echo "loadtest: the server did not come up on port $PORT" >&2; tail -20 "$RUN_DIR/server.log" >&2; exit 1; }
sleep 2   # the startup warm-up synthesizes the persona's phrases; let it finish before the first call

set +e
if [ "${MODE:-load}" = soak ]; then
  # shellcheck disable=SC2086
  SERVER_URL="http://127.0.0.1:$PORT" PUBLIC_BASE_URL="$PUBLIC_BASE_URL" \
    TWILIO_AUTH_TOKEN="$(sed -n 's/^TWILIO_AUTH_TOKEN=//p' "$RUN_DIR/fakes.out")" \
    SERVER_PID="$SERVER_PID" POSTMASTER_PID="$RUN_DIR/data/postgres/postmaster.pid" REPORT_FILE="$RUN_DIR/soak-report.txt" \
    $SIM_PIN java -Djava.security.egd=file:/dev/./urandom ${SIM_JAVA_OPTS:-} -cp "$CP" dev.voiceagent.loadtest.SoakSimulator 2> >(tee "$RUN_DIR/simulator.err" >&2)
  status=$?
  set -e
  exit $status
fi
# shellcheck disable=SC2086
# -Djava.security.egd: the JDK WebSocket client masks every frame with a SecureRandom key; the default NativePRNG
# reads /dev/urandom under one global lock per frame, DRBG (chosen by this setting) does not. Simulator only.
SERVER_URL="http://127.0.0.1:$PORT" PUBLIC_BASE_URL="$PUBLIC_BASE_URL" \
  TWILIO_AUTH_TOKEN="$(sed -n 's/^TWILIO_AUTH_TOKEN=//p' "$RUN_DIR/fakes.out")" \
  SERVER_PID="$SERVER_PID" FAKES_PID="$FAKES_PID" SERVER_LOG="$RUN_DIR/server.log" REPORT_FILE="$RUN_DIR/report.txt" \
  $SIM_PIN java -Djava.security.egd=file:/dev/./urandom ${SIM_JAVA_OPTS:-} -cp "$CP" dev.voiceagent.loadtest.CallSimulator 2> >(tee "$RUN_DIR/simulator.err" >&2)
status=$?
set -e
exit $status
