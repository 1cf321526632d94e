#!/usr/bin/env bash
# Builds target/voice-agent.jar and starts the server (port $PORT, default 8080).
# With no vendor keys set it still starts and says which vendors are unconfigured.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-home.sh
mvn -B -ntp -q package -DskipTests
exec java -jar target/voice-agent.jar
