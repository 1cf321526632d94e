# syntax=docker/dockerfile:1
# Voice agent: multi-stage build (Maven + JDK), then a JRE runtime with an ahead-of-time class cache.

# ---- build ------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
# Tests run in CI (scripts/test.sh); the image build only packages. Not offline (-o): go-offline misses
# artifacts resolved only during the build (e.g. commons-codec), so an offline package fails.
RUN mvn -B -ntp -q -DskipTests package

# ---- runtime ----------------------------------------------------------------------------------------
FROM eclipse-temurin:25-jre
RUN groupadd --system agent && useradd --system --gid agent --home-dir /app --no-create-home agent
WORKDIR /app
COPY --from=build /src/target/voice-agent.jar ./
COPY --from=build /src/target/libs ./libs
COPY config ./config
# PostgreSQL refuses to run as root, and the embedded one (used when DATABASE_URL is unset) keeps its files
# in /app/data: mount a volume there, or set DATABASE_URL, for calls to outlive a redeploy.
RUN mkdir -p /app/data && chown -R agent:agent /app
USER agent
# Training run (JDK 25, JEP 483/514): start the server once with no vendors (and a throwaway embedded
# database) and exit, recording the classes it loads and links, so real starts skip that work. Signature checks
# are off for this run only (no token at build time); the real container needs TWILIO_AUTH_TOKEN to start.
RUN DATA_DIR=/tmp/aot-data TWILIO_SIGNATURE_CHECKS=off-for-local-development java -XX:AOTCacheOutput=voice-agent.aot -Dvoiceagent.exitAfterStart=true -jar voice-agent.jar \
 && rm -rf /tmp/aot-data
VOLUME /app/data
ENV PORT=8080
EXPOSE 8080
# Liveness only: readiness (/observe/health/ready) also depends on vendor keys and draining.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${PORT} && printf "GET /observe/health/live HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "'
# Exec form: the JVM is PID 1 and receives SIGTERM, which starts the graceful drain of calls.
ENTRYPOINT ["java", "-XX:AOTCache=voice-agent.aot", "-XX:MaxRAMPercentage=75", "-jar", "voice-agent.jar"]
