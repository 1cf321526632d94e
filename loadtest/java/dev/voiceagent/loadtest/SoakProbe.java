package dev.voiceagent.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a soak run samples of the server process, from outside as an operator would, each reading bounded in time
 * and "unknown" (-1) rather than failing the run:
 * <ul>
 *   <li>resident memory and platform (OS) threads: {@code VmRSS} and {@code Threads} of {@code /proc/PID/status};</li>
 *   <li>open file descriptors: the entries of {@code /proc/PID/fd};</li>
 *   <li>live heap: the total of a class histogram, taken after a full GC ({@link #liveHeap()});</li>
 *   <li>JVM threads: live platform threads as the JVM counts them ({@code jvm.threads.live}/{@code thread.count}
 *       from {@code /observe/metrics}) and virtual threads counted in a JSON thread dump;</li>
 *   <li>database connections: rows of {@code pg_stat_activity} with {@code application_name = 'voice-agent'} (the
 *       name the server's pool gives its connections), via {@code psql} against the embedded PostgreSQL, whose
 *       port is read from its {@code postmaster.pid}.</li>
 * </ul>
 */
final class SoakProbe {

    private static final Pattern STATUS_LINE = Pattern.compile("^(VmRSS|Threads):\\s+(\\d+)", Pattern.MULTILINE);
    private static final Pattern THREAD_METRIC =
            Pattern.compile("^(?:base_)?(?:thread_count|jvm_threads_live(?:_threads)?)(?:\\{[^}]*\\})?\\s+([0-9.eE+]+)",
                            Pattern.MULTILINE);
    private static final Pattern VIRTUAL = Pattern.compile("\"virtual\"\\s*:\\s*true");
    private static final Duration PSQL_TIMEOUT = Duration.ofSeconds(20);

    private final long pid;
    private final ServerProbe server;
    private final HttpClient http;
    private final URI metrics;
    private final Path postmasterPid;

    SoakProbe(long pid, ServerProbe server, HttpClient http, URI baseUri, Path postmasterPid) {
        this.pid = pid;
        this.server = server;
        this.http = http;
        this.metrics = baseUri.resolve("/observe/metrics");
        this.postmasterPid = postmasterPid;
    }

    /** {@code VmRSS} in KB, or -1. */
    long rssKb() {
        return status("VmRSS");
    }

    /** The process's OS threads ({@code Threads} of /proc/PID/status), or -1. */
    long platformThreads() {
        return status("Threads");
    }

    /** Open file descriptors, or -1. */
    long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException | SecurityException e) {
            return -1;
        }
    }

    /**
     * Live heap in KB: the total of {@code jcmd GC.class_histogram}, which runs a full GC and counts what survived
     * in one operation (reading {@code GC.heap_info} after a separate {@code GC.run} would count whatever the calls
     * allocated between the two commands: tens of MB under load), or -1.
     *
     * @return the live heap in KB, and the histogram (null if it failed)
     */
    LiveHeap liveHeap() {
        String histogram = server.run("GC.class_histogram");
        return new LiveHeap(histogram == null ? -1 : ClassHistogram.parse(histogram).totalBytes() / 1024, histogram);
    }

    /** A live-heap reading and the class histogram it came from. */
    record LiveHeap(long kb, String histogram) {
    }

    /** Live threads as the JVM's metrics count them, or -1. */
    long jvmThreads() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                                                       .header("Accept", "text/plain").GET().build(),
                                               HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? threadMetric(r.body()).orElse(-1) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * Virtual threads alive, counted in a JSON thread dump ({@code jcmd Thread.dump_to_file -format=json}, which
     * lists the virtual threads the JDK tracks: all of them, with its default {@code jdk.trackAllThreads}), or -1.
     * The dump is written to {@code scratch} (overwritten each time).
     */
    long virtualThreads(Path scratch) {
        if (server.run("Thread.dump_to_file", "-overwrite", "-format=json", scratch.toAbsolutePath().toString()) == null) {
            return -1;
        }
        try {
            return virtualThreadCount(Files.readString(scratch, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return -1;
        }
    }

    /** The server's connections to its database, or -1. */
    long dbConnections() {
        OptionalLong port = postmasterPort();
        if (port.isEmpty()) {
            return -1;
        }
        try {
            Process p = new ProcessBuilder(List.of("psql", "-h", "127.0.0.1", "-p", Long.toString(port.getAsLong()),
                                                   "-U", "postgres", "-d", "postgres", "-X", "-A", "-t", "-c",
                                                   "select count(*) from pg_stat_activity where application_name = 'voice-agent'"))
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(PSQL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 && text.matches("\\d+") ? Long.parseLong(text) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private long status(String field) {
        try {
            return statusField(Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII),
                               field).orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private OptionalLong postmasterPort() {
        try {
            return postmasterPid == null ? OptionalLong.empty()
                                         : postmasterPort(Files.readString(postmasterPid, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** A numeric field ({@code VmRSS} in kB, {@code Threads}) of a {@code /proc/PID/status} text. */
    static OptionalLong statusField(String status, String field) {
        Matcher m = STATUS_LINE.matcher(status);
        while (m.find()) {
            if (m.group(1).equals(field)) {
                return OptionalLong.of(Long.parseLong(m.group(2)));
            }
        }
        return OptionalLong.empty();
    }

    /** The port on line 4 of a PostgreSQL {@code postmaster.pid}. */
    static OptionalLong postmasterPort(String postmasterPid) {
        List<String> lines = postmasterPid.lines().toList();
        return lines.size() >= 4 && lines.get(3).strip().matches("\\d{1,5}")
               ? OptionalLong.of(Long.parseLong(lines.get(3).strip())) : OptionalLong.empty();
    }

    /** The live-thread gauge in a Prometheus text page. */
    static OptionalLong threadMetric(String prometheus) {
        Matcher m = THREAD_METRIC.matcher(prometheus);
        return m.find() ? OptionalLong.of(Math.round(Double.parseDouble(m.group(1)))) : OptionalLong.empty();
    }

    /** How many threads of a JSON thread dump are virtual. */
    static long virtualThreadCount(String jsonDump) {
        return VIRTUAL.matcher(jsonDump).results().count();
    }
}
