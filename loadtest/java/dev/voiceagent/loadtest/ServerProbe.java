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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Looks at the server process from outside, the way an operator would: used heap after a forced full GC
 * ({@code jcmd PID GC.run}, then {@code GC.heap_info}), CPU time used ({@code /proc/PID/stat}), and the active-call
 * count from {@code GET /observe/health}. Every probe is bounded in time and answers "unknown" rather than failing
 * the run.
 */
public final class ServerProbe {

    /** Linux reports CPU time in clock ticks of 1/100 s on every common configuration ({@code getconf CLK_TCK}). */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    private static final Pattern HEAP_USED = Pattern.compile("heap\\b.*?\\bused (\\d+)K");
    private static final Pattern GENERATION_USED =
            Pattern.compile("(?:def new generation|DefNew|tenured generation|Tenured|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K.*");
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);

    private final long pid;
    private final Path jcmd;
    private final URI health;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param pid     the server's process id
     * @param javaHome the JDK whose {@code bin/jcmd} to use
     * @param baseUri the server's {@code http://127.0.0.1:PORT}
     */
    public ServerProbe(long pid, Path javaHome, URI baseUri, HttpClient http) {
        this.pid = pid;
        this.jcmd = javaHome.resolve("bin").resolve("jcmd");
        this.health = baseUri.resolve("/observe/health");
        this.http = http;
    }

    /** Forces a full GC, then reads the used heap in KB; empty if jcmd is missing or fails. */
    public OptionalLong usedHeapAfterGcKb() {
        if (run("GC.run") == null) {
            return OptionalLong.empty();
        }
        String info = run("GC.heap_info");
        return info == null ? OptionalLong.empty() : heapUsedKb(info);
    }

    /** CPU time the server has used so far (user + system), in milliseconds; empty if unreadable. */
    public OptionalLong cpuMillis() {
        return cpuMillis(pid);
    }

    /** CPU time process {@code pid} has used so far (user + system), in milliseconds; empty if unreadable. */
    public static OptionalLong cpuMillis(long pid) {
        try {
            return cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII))
                    .stream().map(t -> t * 1000 / CLOCK_TICKS_PER_SECOND).findFirst();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * CPU time the server's JIT compiler threads have used so far, in milliseconds; empty if unreadable. Compiling
     * fades once the code is warm, so a short run's figures include work a long-running server no longer does.
     */
    public OptionalLong jitCpuMillis() {
        return jitCpuMillis(pid);
    }

    /** CPU time of process {@code pid}'s JIT compiler threads ({@link #isJitThread}), in milliseconds. */
    public static OptionalLong jitCpuMillis(long pid) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            long ticks = 0;
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                    if (isJitThread(stat)) {
                        ticks += cpuTicks(stat).orElse(0);
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
            return OptionalLong.of(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | java.io.UncheckedIOException e) {
            return OptionalLong.empty();
        }
    }

    /** Whether a {@code /proc/PID/task/TID/stat} line is a HotSpot compiler thread's ("C1 CompilerThre", "C2 ..."). */
    static boolean isJitThread(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        return open >= 0 && close > open && stat.substring(open + 1, close).matches("C[12] CompilerThre.*");
    }

    /**
     * The whole machine's CPU counters from {@code /proc/stat}: {busy, total} clock ticks over all cores (busy is
     * everything but idle and iowait); empty if unreadable.
     */
    public static Optional<long[]> machineTicks() {
        try {
            return machineTicks(Files.readString(Path.of("/proc/stat"), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** How busy the machine was between two {@link #machineTicks()} readings, in % of all cores; -1 if unknown. */
    public static long busyPercent(Optional<long[]> from, Optional<long[]> to) {
        if (from.isEmpty() || to.isEmpty()) {
            return -1;
        }
        long total = to.get()[1] - from.get()[1];
        return total <= 0 ? -1 : Math.round(100.0 * (to.get()[0] - from.get()[0]) / total);
    }

    /** The server's own count of active calls, or -1 if health did not answer. */
    public int activeCalls() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET()
                                                              .build(), HttpResponse.BodyHandlers.ofString());
            return json.readTree(response.body()).path("checks").path("calls").path("active").asInt(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The used heap in {@code jcmd GC.heap_info} output, in KB: G1 prints one {@code "... heap ... used 11386K"} line;
     * the Serial and Parallel collectors (which the JVM picks on one CPU) print one line per generation, summed.
     */
    static OptionalLong heapUsedKb(String heapInfo) {
        long generations = 0;
        boolean sawGeneration = false;
        for (String line : heapInfo.lines().toList()) {
            String trimmed = line.strip();
            Matcher m = HEAP_USED.matcher(line);
            if (m.find() && !trimmed.startsWith("Metaspace") && !trimmed.startsWith("class space")) {
                return OptionalLong.of(Long.parseLong(m.group(1)));
            }
            Matcher g = GENERATION_USED.matcher(trimmed);
            if (g.matches()) {
                generations += Long.parseLong(g.group(1));
                sawGeneration = true;
            }
        }
        return sawGeneration ? OptionalLong.of(generations) : OptionalLong.empty();
    }

    /** utime + stime (fields 14 and 15) of a {@code /proc/PID/stat} line, in clock ticks. */
    static OptionalLong cpuTicks(String stat) {
        int close = stat.lastIndexOf(')'); // the command name in field 2 may contain spaces and parentheses
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] fields = stat.substring(close + 1).strip().split("\\s+");
        if (fields.length < 13) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The machine's cores as {@code /proc/stat} lists them (not this process's affinity, which may be pinned). */
    public static int machineCores() {
        try {
            return (int) Math.max(1, Files.readString(Path.of("/proc/stat"), StandardCharsets.US_ASCII).lines()
                    .filter(l -> l.matches("cpu[0-9]+ .*")).count());
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** {busy, total} from the aggregate {@code cpu} line of {@code /proc/stat}. */
    static Optional<long[]> machineTicks(String procStat) {
        String first = procStat.lines().findFirst().orElse("");
        String[] f = first.strip().split("\\s+");
        if (f.length < 6 || !f[0].equals("cpu")) {
            return Optional.empty();
        }
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return Optional.of(new long[] {total - idle, total});
    }

    /** The output of {@code jcmd PID <command> [args]}, or null if it failed or took longer than a minute. */
    String run(String command, String... args) {
        try {
            List<String> line = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid), command));
            line.addAll(List.of(args));
            Process p = new ProcessBuilder(line)
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(JCMD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
