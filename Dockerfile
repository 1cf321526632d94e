# syntax=docker/dockerfile:1
# Voice agent: multi-stage build (Maven + JDK), then a JRE runtime with an ahead-of-time class cache.

# ---- build ------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
# The load tools (compiled with the test classes) train the runtime's ahead-of-time cache below. Only their
# sources: the rest of loadtest/ (scripts, notes) is mounted from the build context where it is used.
COPY loadtest/java ./loadtest/java
# Tests run in CI (scripts/test.sh); the image build only packages (it compiles the test classes but does not run
# them). Not offline (-o): go-offline misses artifacts resolved only during the build (e.g. commons-codec), so an
# offline package fails.
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
# Training run (JDK 25, JEP 483/514/515): the server takes 100 simulated calls of 4 turns against local fakes of
# every vendor (loadtest/aot-train.sh; the script from the build context and the load tools' classes from the
# build stage are mounted for this step only, so the image does not carry them), then exits, recording the
# classes it loaded and linked and the profiles of the methods it ran. A real start then skips that work and
# compiles the call path early: a cold server given 400 calls over 20 s had a median of 34 audio gaps in seven
# runs, against 550 with a cache trained on start-up only (loadtest/README.md, "A cold server, and a cache trained
# on calls"). It runs with the JRE of this image, the one that will use the cache. Fake test credentials only; the
# real container needs TWILIO_AUTH_TOKEN and the vendor keys to start. A failed training (fewer than half of its
# calls go through) fails the build.
RUN --mount=type=bind,from=build,source=/src/target/test-classes,target=/tmp/train/classes \
    --mount=type=bind,source=loadtest,target=/tmp/train/loadtest \
    bash /tmp/train/loadtest/aot-train.sh voice-agent.jar voice-agent.aot "/tmp/train/classes:voice-agent.jar:libs/*"
VOLUME /app/data
ENV PORT=8080
EXPOSE 8080
# Liveness only: readiness (/observe/health/ready) also depends on vendor keys and draining.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${PORT} && printf "GET /observe/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "'
# Exec form: the JVM is PID 1 and receives SIGTERM, which starts the graceful drain of calls.
ENTRYPOINT ["java", "-XX:AOTCache=voice-agent.aot", "-XX:MaxRAMPercentage=75", "-jar", "voice-agent.jar"]
