#!/usr/bin/env bash
# Runs the whole test suite: the Maven build (unit tests, full-socket conversations against local fake
# vendors, and the console and web phone driven in headless Chromium), then the k6 load scripts' type-check
# against the k6 API types (loadtest/typecheck.sh), then the Docker image's training run on a few calls
# (loadtest/aot-train.sh: the built jar takes calls against the fakes and the JVM writes its cache). Installs
# Debian's chromium and the pinned npm packages of browser-tests/ first when they are missing
# (scripts/browser-deps.sh).
# Fails if any fails. The load run itself (loadtest/run.sh) is not part of it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
bash scripts/browser-deps.sh
mvn -B -ntp verify "$@"
bash loadtest/typecheck.sh
TRAIN_CALLS=4 TRAIN_TURNS=2 TRAIN_RAMP_SECONDS=1 bash loadtest/aot-train.sh target/voice-agent.jar target/voice-agent.aot \
  "target/test-classes:target/voice-agent.jar:target/libs/*"
