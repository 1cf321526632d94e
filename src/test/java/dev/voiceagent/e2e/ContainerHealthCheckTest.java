package dev.voiceagent.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

/**
 * The container's health check (the Dockerfile's {@code HEALTHCHECK}, and the same probe in
 * {@code loadtest/aot-train.sh}) is a hand-written HTTP request over bash's {@code /dev/tcp}, since the runtime image
 * has no curl. This sends exactly the bytes it sends to the real server and expects what it greps for: a request the
 * server refuses (Helidon answers HTTP/1.0 with 505) would mark every healthy container unhealthy.
 */
class ContainerHealthCheckTest {

    private static final Pattern PRINTF = Pattern.compile("printf [\"']([^\"']+)[\"'] >&3");

    @Test
    void theDockerfilesHealthCheckRequestGetsA200() throws Exception {
        assertTheProbeGetsA200(probeIn(Path.of("Dockerfile"), "HEALTHCHECK"));
    }

    @Test
    void theTrainingRunsReadinessProbeGetsA200() throws Exception {
        assertTheProbeGetsA200(probeIn(Path.of("loadtest/aot-train.sh"), "healthy()"));
    }

    private static void assertTheProbeGetsA200(String request) throws Exception {
        assertThat(request, startsWith("GET /observe/health/live "));
        try (AgentHarness h = AgentHarness.start()) {
            URI server = h.httpUri("/");
            try (Socket socket = new Socket(server.getHost(), server.getPort())) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String statusLine = firstLine(socket.getInputStream());
                // The probe's own test: head -n 1 | grep -q " 200 "
                assertThat(statusLine, containsString(" 200 "));
            }
        }
    }

    /** The request a probe prints to the socket: the printf after {@code marker}, its escapes turned into bytes. */
    private static String probeIn(Path file, String marker) throws IOException {
        String text = Files.readString(file);
        int at = text.indexOf(marker);
        if (at < 0) {
            throw new AssertionError(file + " has no " + marker);
        }
        Matcher m = PRINTF.matcher(text);
        if (!m.find(at)) {
            throw new AssertionError(file + " has no printf of a request after " + marker);
        }
        return m.group(1).replace("\\r", "\r").replace("\\n", "\n");
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString().strip();
    }
}
