package dev.voiceagent.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.twilio.TwilioSignature;

/**
 * The server as its own operating-system process ({@code java dev.voiceagent.Main} with the test classpath),
 * for what only a real process shows: signals, {@code kill -9}. Output goes to a temporary log file, kept
 * with {@code -DkeepServerLog=true}.
 */
final class ServerProcess implements AutoCloseable {

    final Process process;
    final URI base;
    final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private ServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.base = URI.create("http://127.0.0.1:" + port);
        this.log = log;
    }

    /** Starts the server with {@code env} (from {@link AgentHarness#environment}) on {@code port}; waits until ready. */
    static ServerProcess start(Map<String, String> env, int port, Duration wait) throws IOException {
        Path log = Files.createTempFile("server", ".log");
        ServerProcess server = new ServerProcess(builder(env, log).start(), port, log);
        try {
            AgentHarness.await(() -> server.status("/observe/health/ready") == 200, wait, "server start");
        } catch (AssertionError e) {
            server.close();   // never leave a server process behind (it would retry its database forever)
            throw e;
        }
        return server;
    }

    /** What a server process that is expected to refuse to start printed, and its exit code. */
    record Exited(int code, String output) {
    }

    /** Starts the server with {@code env} and waits for it to exit (it must, within {@code wait}). */
    static Exited runUntilExit(Map<String, String> env, Duration wait) throws Exception {
        Path log = Files.createTempFile("server", ".log");
        try {
            Process process = builder(env, log).start();
            if (!process.waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the server did not exit within " + wait + ":\n" + Files.readString(log));
            }
            return new Exited(process.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * {@code java dev.voiceagent.Main} with {@code env} over this JVM's environment, minus the settings that
     * decide how the edge is protected, so only what the test passes counts.
     */
    private static ProcessBuilder builder(Map<String, String> env, Path log) {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.voiceagent.Main")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("TWILIO_") || name.startsWith("RAILWAY_")
                                                        || name.equals("PUBLIC_BASE_URL") || name.equals("ADMIN_API_KEY")
                                                        || name.equals("MAX_CONCURRENT_CALLS")
                                                        || name.equals("OVERFLOW_NUMBER"));
        builder.environment().putAll(env);
        return builder;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Places a call the way Twilio does (signed webhook, then the media socket) and starts its stream. */
    FakeTwilioCaller call(String callSid, String from) throws Exception {
        AgentHarness.StreamTwiml twiml = AgentHarness.parseTwiml(postVoice(AgentHarness.voiceForm(callSid, from)).body());
        FakeTwilioCaller caller = FakeTwilioCaller.connect(
                URI.create("ws://127.0.0.1:" + base.getPort() + "/twilio/media"),
                Map.of("X-Twilio-Signature", new TwilioSignature(AgentHarness.AUTH_TOKEN).sign(twiml.url(), Map.of())));
        caller.start(callSid, twiml.parameters());
        return caller;
    }

    /** Posts Twilio's voice webhook, signed for the public URL. */
    HttpResponse<String> postVoice(Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(base.resolve("/twilio/voice"))
                                 .header("Content-Type", "application/x-www-form-urlencoded")
                                 .header("X-Twilio-Signature",
                                         AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + "/twilio/voice", form))
                                 .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    /** The HTTP status of a GET, or -1 when the server does not answer. */
    int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(2)).GET().build(),
                             HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        if (Boolean.getBoolean("keepServerLog")) {
            System.err.println("server log: " + log);
        } else {
            Files.deleteIfExists(log);
        }
    }
}
