package dev.voiceagent.loadtest;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

import dev.voiceagent.call.Ticker;
import dev.voiceagent.fakes.FakeTwilioCaller;

/**
 * The soak test: keeps {@code CALLS} calls going against a running voice agent for {@code SOAK_MINUTES}, with
 * turnover (each call lasts a random {@code CALL_MIN_SECONDS}..{@code CALL_MAX_SECONDS}, then hangs up and its slot
 * places a new one), samples the server every {@code SAMPLE_SECONDS} ({@link SoakProbe}: resident memory, heap
 * after a forced full GC, platform, JVM and virtual threads, file descriptors, database connections; plus calls
 * completed, failed and audio gaps), writes each sample to {@code soak.csv} as it is taken, and ends with a
 * {@link SoakVerdict} per quantity, then an idle tail with no calls ({@link IdleTail}). Heap class histograms are saved when warm-up ends and at the last sample, with
 * the classes that grew most between them.
 *
 * <p>One call: the {@link SimulatedCall} scenario (signed webhook, media socket, greeting, turns of a committed
 * clip and the agent's answer); it takes {@code max(1, length / 25 s)} turns spread over its length (pauses of at
 * least {@code PAUSE_MS}, quiet in between), then holds the line quietly until its length is up. Only loopback
 * servers. Every wait is bounded: a call by its length plus reply and talk timeouts, the run by its duration
 * plus the longest call and a grace.
 *
 * <p>Environment (defaults in brackets): {@code SERVER_URL}, {@code PUBLIC_BASE_URL}, {@code TWILIO_AUTH_TOKEN},
 * {@code AGENT_NUMBER} as {@link CallSimulator}; {@code CALLS} [100], {@code SOAK_MINUTES} [60],
 * {@code SAMPLE_SECONDS} [60], {@code WARMUP_MINUTES} [5] (samples before are not judged),
 * {@code CALL_MIN_SECONDS} [30], {@code CALL_MAX_SECONDS} [120], {@code RAMP_SECONDS} [20], {@code PAUSE_MS}
 * [1200], {@code CLIPS}, {@code REPLY_TIMEOUT_MS} [10000], {@code QUIET_MS} [700],
 * {@code GROWTH_PERCENT_PER_HOUR} [5], {@code IDLE_TAIL_MINUTES} [3] (after the last call ends, keep sampling this
 * long with no calls and report per quantity whether it went back to its idle level: {@link IdleTail}; 0: off);
 * {@code SERVER_PID} (required), {@code POSTMASTER_PID} (the embedded
 * database's {@code postmaster.pid}, for its port), {@code REPORT_FILE} (the verdict; {@code soak.csv} and the
 * histograms go beside it).
 *
 * <p>Exit status: 0 if every quantity stopped growing and no call failed, 3 otherwise, 2 on bad settings.
 */
public final class SoakSimulator {

    /** What one turn takes besides its pause: clip, end-of-turn wait, answer, playout, quiet (about). */
    private static final Duration TURN_COST = Duration.ofSeconds(6);
    private static final Duration TURN_SPACING = Duration.ofSeconds(25);
    private static final Duration TALK_TIMEOUT = Duration.ofSeconds(30);

    private SoakSimulator() {
    }

    /** The run's settings. */
    record Settings(URI server, String publicBaseUrl, String authToken, String to, int calls, Duration soak,
                    Duration sampleEvery, Duration warmup, Duration callMin, Duration callMax, Duration ramp,
                    Duration pause, List<String> clipNames, Duration replyTimeout, Duration quiet,
                    double growthPerHour, Duration idleTail, long serverPid, Path postmasterPid, Path reportFile) {

        static Settings from(Knobs k) throws Exception {
            URI server = URI.create(k.string("SERVER_URL", "http://127.0.0.1:8080"));
            if (server.getHost() == null || !InetAddress.getByName(server.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException("SERVER_URL must be a loopback address, got " + server);
            }
            int min = k.integer("CALL_MIN_SECONDS", 30, 10, 1800);
            int max = k.integer("CALL_MAX_SECONDS", 120, min, 1800);
            String pid = k.string("SERVER_PID", "");
            if (pid.isEmpty()) {
                throw new IllegalArgumentException("SERVER_PID is required: the soak samples the server process");
            }
            String pm = k.string("POSTMASTER_PID", "");
            String report = k.string("REPORT_FILE", "");
            return new Settings(server, k.string("PUBLIC_BASE_URL", "https://voice-agent.loadtest.invalid"),
                                k.string("TWILIO_AUTH_TOKEN", FakeVendorsMain.TWILIO_AUTH_TOKEN),
                                k.string("AGENT_NUMBER", "+15550100001"), k.integer("CALLS", 100, 1, 5000),
                                Duration.ofMinutes(k.integer("SOAK_MINUTES", 60, 1, 24 * 60)),
                                Duration.ofSeconds(k.integer("SAMPLE_SECONDS", 60, 5, 3600)),
                                Duration.ofMinutes(k.integer("WARMUP_MINUTES", 5, 0, 600)), Duration.ofSeconds(min),
                                Duration.ofSeconds(max), Duration.ofSeconds(k.integer("RAMP_SECONDS", 20, 0, 3600)),
                                Duration.ofMillis(k.integer("PAUSE_MS", 1200, 0, 60_000)),
                                Arrays.asList(k.string("CLIPS", "book_appointment,yes_thanks,my_name").split(",")),
                                Duration.ofMillis(k.integer("REPLY_TIMEOUT_MS", 10_000, 100, 120_000)),
                                Duration.ofMillis(k.integer("QUIET_MS", 700, 100, 5000)),
                                k.integer("GROWTH_PERCENT_PER_HOUR", 5, 1, 1000) / 100.0,
                                Duration.ofMinutes(k.integer("IDLE_TAIL_MINUTES", 3, 0, 600)), Long.parseLong(pid),
                                pm.isEmpty() ? null : Path.of(pm), report.isEmpty() ? null : Path.of(report));
        }
    }

    /**
     * How a call of {@code length} is scripted: {@code turns} turns with pauses of {@code pause} (mean) between
     * them, so that the talking is spread over the call. Pure, for the tests.
     */
    record CallPlan(Duration length, int turns, Duration pause) {

        static CallPlan of(Duration length, Duration minPause) {
            int turns = (int) Math.max(1, length.toMillis() / TURN_SPACING.toMillis());
            long spread = (length.toMillis() - TURN_COST.toMillis()) / turns - TURN_COST.toMillis();
            return new CallPlan(length, turns, Duration.ofMillis(Math.min(60_000, Math.max(minPause.toMillis(), spread))));
        }
    }

    /** Running totals of the calls, thread-safe. */
    static final class Tally {
        final AtomicLong started = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final AtomicLong inProgress = new AtomicLong();
        final AtomicLong callMillis = new AtomicLong();
        final Map<String, AtomicLong> reasons = new ConcurrentHashMap<>();

        void record(CallResult r, long millis) {
            if (r.ok()) {
                completed.incrementAndGet();
            } else {
                failed.incrementAndGet();
                // Reasons without their numbers, so that alike failures group together.
                reasons.computeIfAbsent(r.failure().replaceAll("\\d+", "N"), x -> new AtomicLong()).incrementAndGet();
            }
            gaps.addAndGet(r.gapsMillis().size());
            callMillis.addAndGet(millis);
        }
    }

    /** One row of soak.csv. */
    record Sample(double minutes, long activeServer, long inProgress, long rssKb, long heapKb, long platformThreads,
                  long jvmThreads, long virtualThreads, long fds, long dbConnections, long completed, long failed,
                  long gaps, double load1, double serverCpuPercent) {

        static final String HEADER = "minutes,server_active_calls,simulated_calls,rss_kb,live_heap_kb,"
                                     + "platform_threads,jvm_threads,virtual_threads,open_fds,db_connections,"
                                     + "calls_completed,calls_failed,audio_gaps,load1,server_cpu_percent";

        String csv() {
            return String.format(Locale.ROOT, "%.2f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.2f,%.1f", minutes,
                                 activeServer, inProgress, rssKb, heapKb, platformThreads, jvmThreads, virtualThreads,
                                 fds, dbConnections, completed, failed, gaps, load1, serverCpuPercent);
        }
    }

    /**
     * A judged quantity: its column, the least growth per hour that counts whatever its level, and how far from
     * another reading an idle-tail reading may sit and still count as level with it ({@link IdleTail}).
     */
    private record Quantity(String name, ToDoubleFunction<Sample> value, double floorPerHour, double idleSlack) {
    }

    private static final List<Quantity> QUANTITIES = List.of(
            new Quantity("RSS (KB)", s -> s.rssKb(), 10 * 1024, 10 * 1024),
            new Quantity("live heap after GC (KB)", s -> s.heapKb(), 1024, 1024),
            new Quantity("platform threads", s -> s.platformThreads(), 2, 1),
            new Quantity("JVM live threads", s -> s.jvmThreads(), 2, 1),
            new Quantity("virtual threads", s -> s.virtualThreads(), 10, 2),
            new Quantity("open fds", s -> s.fds(), 2, 2),
            new Quantity("db connections", s -> s.dbConnections(), 1, 0));

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = Settings.from(new Knobs(System.getenv()));
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(s) ? 0 : 3);
    }

    private static boolean run(Settings s) throws Exception {
        Path dir = s.reportFile() == null ? Path.of(".") : s.reportFile().toAbsolutePath().getParent();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Ticker frameClock = new Ticker(CallSimulator.FRAME_CLOCK_TICK, System::nanoTime);   // paces callers' frames
        ServerProbe server = new ServerProbe(s.serverPid(), Path.of(System.getProperty("java.home")), s.server(), http);
        SoakProbe probe = new SoakProbe(s.serverPid(), server, http, s.server(), s.postmasterPid());
        TwilioEdge edge = new TwilioEdge(http, s.server(), s.publicBaseUrl(), s.authToken());
        List<byte[]> clips = s.clipNames().stream().map(String::strip).map(FakeTwilioCaller::clip).toList();
        Tally tally = new Tally();
        String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Path scratch = dir.resolve("threads.json");

        long start = System.nanoTime();
        long end = start + s.soak().toNanos();
        Sampler sampler = new Sampler(probe, server, tally, start, scratch);
        Sample idleBefore = sampler.take();
        System.err.printf(Locale.ROOT, "soak: %d calls for %d min, each %d-%d s, sampled every %d s, warm-up %d min; idle: %s%n",
                          s.calls(), s.soak().toMinutes(), s.callMin().toSeconds(), s.callMax().toSeconds(),
                          s.sampleEvery().toSeconds(), s.warmup().toMinutes(), idleBefore.csv());

        List<Sample> samples = new ArrayList<>();
        String histogramAtWarmup = null;
        String histogramAtEnd = null;
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        HiccupMeter hiccups = new HiccupMeter();
        Plateau noPlateau = new Plateau(0); // soak calls hang up at their own time, never wait for a sample
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(dir.resolve("soak.csv"), StandardCharsets.UTF_8))) {
            csv.println(Sample.HEADER);
            csv.println(idleBefore.csv());
            csv.flush();
            for (int slot = 0; slot < s.calls(); slot++) {
                int n = slot;
                pool.submit(() -> slot(s, n, start + s.ramp().toNanos() * n / s.calls(), end, http, frameClock, edge,
                                       clips, tally, noPlateau, runId));
            }
            for (long next = start + s.sampleEvery().toNanos(); next <= end; next += s.sampleEvery().toNanos()) {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
                Sample sample = sampler.take();
                samples.add(sample);
                csv.println(sample.csv());
                csv.flush();
                System.err.println("soak: " + sample.csv());
                if (histogramAtWarmup == null && sample.minutes() >= s.warmup().toMinutes()) {
                    histogramAtWarmup = save(dir.resolve("histogram-warmup.txt"), sampler.lastHistogram());
                }
            }
            histogramAtEnd = save(dir.resolve("histogram-end.txt"), sampler.lastHistogram());
            // Let the calls in progress end at their own length; none starts after the end.
            pool.shutdown();
            Duration drain = s.callMax().plus(s.replyTimeout().multipliedBy(2)).plus(TALK_TIMEOUT).plusSeconds(30);
            if (!pool.awaitTermination(drain.toSeconds(), TimeUnit.SECONDS)) {
                System.err.println("soak: calls still running after " + drain.toSeconds() + " s; interrupting them");
                pool.shutdownNow();
                pool.awaitTermination(30, TimeUnit.SECONDS);
            }
            Thread.sleep(5000); // the server ends its side of the last calls
            Sample idleAfter = sampler.take();
            csv.println(idleAfter.csv());
            csv.flush();
            // The idle tail: no calls; do the pools the calls grew (web-client connections and their monitor
            // threads, descriptors, database connections) give it back?
            List<Sample> tail = new ArrayList<>(List.of(idleAfter));
            long tailEnd = System.nanoTime() + s.idleTail().toNanos();
            for (long next = System.nanoTime() + s.sampleEvery().toNanos(); next <= tailEnd; next += s.sampleEvery().toNanos()) {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
                Sample sample = sampler.take();
                tail.add(sample);
                csv.println(sample.csv());
                csv.flush();
                System.err.println("soak: idle " + sample.csv());
            }
            String report = report(s, samples, idleBefore, tail, tally, histogramAtWarmup, histogramAtEnd,
                                   hiccups.latenessMillis());
            System.out.print(report);
            if (s.reportFile() != null) {
                Files.writeString(s.reportFile(), report, StandardCharsets.UTF_8);
            }
            boolean stopped = verdicts(s, samples).stream().allMatch(v -> v.trend().stoppedGrowing());
            return stopped && tally.failed.get() == 0;
        } finally {
            hiccups.close();
            pool.shutdownNow();
        }
    }

    /** One of the N call slots: places calls back to back until the end, each of a random length. */
    private static void slot(Settings s, int slot, long firstAt, long end, HttpClient http, Ticker frameClock,
                             TwilioEdge edge, List<byte[]> clips, Tally tally, Plateau plateau, String runId) {
        Random random = new Random(slot);
        try {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, firstAt - System.nanoTime()));
            for (int k = 0; System.nanoTime() < end && !Thread.currentThread().isInterrupted(); k++) {
                long span = s.callMax().toMillis() - s.callMin().toMillis();
                Duration length = s.callMin().plusMillis(span == 0 ? 0 : (long) (random.nextDouble() * span));
                CallPlan plan = CallPlan.of(length, s.pause());
                long now = System.nanoTime();
                // The call's own bound: its length, plus what one turn may take at worst.
                long deadline = now + length.plus(s.replyTimeout()).plus(TALK_TIMEOUT).toNanos();
                SimulatedCall.Script script = new SimulatedCall.Script(clips, plan.turns(), plan.pause(),
                        s.replyTimeout(), s.quiet(), TALK_TIMEOUT, deadline, s.to(), now + length.toNanos());
                int index = (int) tally.started.incrementAndGet();
                String callSid = String.format("CA%s%08x%08x", runId, slot, k);
                tally.inProgress.incrementAndGet();
                try {
                    CallResult result = new SimulatedCall(index, callSid, frameClock, edge, script, plateau).call();
                    tally.record(result, (System.nanoTime() - now) / 1_000_000);
                } finally {
                    tally.inProgress.decrementAndGet();
                }
                // A call that failed early still takes its slot for its length: failures must not turn into a
                // tight loop of new calls (which would measure something else entirely).
                TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(end, now + length.toNanos()) - System.nanoTime()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes one sample: the slow readings (forced GC, thread dump, psql) run one after another. */
    private static final class Sampler {
        private final SoakProbe probe;
        private final ServerProbe server;
        private final Tally tally;
        private final long start;
        private final Path scratch;
        private long lastNanos;
        private OptionalLong lastCpu;
        private String lastHistogram;

        Sampler(SoakProbe probe, ServerProbe server, Tally tally, long start, Path scratch) {
            this.probe = probe;
            this.server = server;
            this.tally = tally;
            this.start = start;
            this.scratch = scratch;
            this.lastNanos = System.nanoTime();
            this.lastCpu = server.cpuMillis();
        }

        Sample take() {
            long now = System.nanoTime();
            OptionalLong cpu = server.cpuMillis();
            double cpuPercent = cpu.isPresent() && lastCpu.isPresent() && now > lastNanos
                                ? 100.0 * (cpu.getAsLong() - lastCpu.getAsLong()) / ((now - lastNanos) / 1e6) : -1;
            lastNanos = now;
            lastCpu = cpu;
            // Counters first, so they describe the same moment as the cheap readings.
            long completed = tally.completed.get();
            long failed = tally.failed.get();
            long gaps = tally.gaps.get();
            long inProgress = tally.inProgress.get();
            long active = server.activeCalls();
            long rss = probe.rssKb();
            long platform = probe.platformThreads();
            long fds = probe.openFds();
            long jvm = probe.jvmThreads();
            long db = probe.dbConnections();
            long virtual = probe.virtualThreads(scratch);
            SoakProbe.LiveHeap heap = probe.liveHeap();
            lastHistogram = heap.histogram();
            return new Sample((now - start) / 60e9, active, inProgress, rss, heap.kb(), platform, jvm, virtual, fds, db,
                              completed, failed, gaps, load1(), cpuPercent);
        }

        /** The class histogram of the last sample (its live-heap reading), or null. */
        String lastHistogram() {
            return lastHistogram;
        }

        private static double load1() {
            try {
                return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    static List<SoakVerdict> verdicts(Settings s, List<Sample> samples) {
        List<SoakVerdict> out = new ArrayList<>();
        for (Quantity q : QUANTITIES) {
            List<SoakVerdict.Point> points = samples.stream()
                    .filter(x -> q.value().applyAsDouble(x) >= 0) // -1: not measured
                    .map(x -> new SoakVerdict.Point(x.minutes(), q.value().applyAsDouble(x))).toList();
            out.add(SoakVerdict.judge(q.name(), points, s.warmup().toMinutes(), s.growthPerHour(), q.floorPerHour()));
        }
        return out;
    }

    /** Per quantity: the idle level before the calls, just after them, and at the end of the idle tail. */
    static List<IdleTail> idleTails(Sample before, Sample after, Sample last) {
        List<IdleTail> out = new ArrayList<>();
        for (Quantity q : QUANTITIES) {
            double a = q.value().applyAsDouble(before);
            double b = q.value().applyAsDouble(after);
            double c = q.value().applyAsDouble(last);
            if (a >= 0 && b >= 0 && c >= 0) { // -1: not measured
                out.add(IdleTail.judge(q.name(), a, b, c, q.idleSlack()));
            }
        }
        return out;
    }

    private static String report(Settings s, List<Sample> samples, Sample before, List<Sample> tail, Tally tally,
                                 String histogramAtWarmup, String histogramAtEnd, List<Long> lateness) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nSoak: %d concurrent calls for %d min (each %d-%d s), %s%n", s.calls(),
                                 s.soak().toMinutes(), s.callMin().toSeconds(), s.callMax().toSeconds(), Instant.now()));
        long calls = tally.completed.get() + tally.failed.get();
        out.append(String.format(Locale.ROOT, "calls: %,d ended, %,d failed, %,d audio gaps; mean length %.0f s%n",
                                 calls, tally.failed.get(), tally.gaps.get(),
                                 calls == 0 ? 0.0 : tally.callMillis.get() / 1000.0 / calls));
        tally.reasons.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, AtomicLong> e) -> e.getValue().get()).reversed())
                .limit(8).forEach(e -> out.append(String.format(Locale.ROOT, "  %,6d × %s%n", e.getValue().get(), e.getKey())));
        if (samples.size() >= 2) {
            Sample mid = samples.get(samples.size() / 2);
            Sample last = samples.getLast();
            out.append(String.format(Locale.ROOT, "failed calls: first half %d, second half %d; gaps: %d, %d%n",
                                     mid.failed(), last.failed() - mid.failed(), mid.gaps(), last.gaps() - mid.gaps()));
            out.append(String.format(Locale.ROOT, "load average (1 min): mean %.2f, max %.2f; server CPU mean %.0f %% of a core%n",
                                     samples.stream().mapToDouble(Sample::load1).average().orElse(-1),
                                     samples.stream().mapToDouble(Sample::load1).max().orElse(-1),
                                     samples.stream().mapToDouble(Sample::serverCpuPercent).filter(x -> x >= 0).average().orElse(-1)));
        }
        if (!lateness.isEmpty()) {
            out.append(String.format(Locale.ROOT, "simulator lateness: p99 %d ms, max %d ms%n",
                                     Percentiles.of(lateness).at(99), Percentiles.of(lateness).max()));
        }
        out.append(String.format(Locale.ROOT, "%nVerdict per quantity (samples after the first %d min; growth counts from the "
                                 + "larger of %.0f %%/h of the level and a floor):%n", s.warmup().toMinutes(),
                                 s.growthPerHour() * 100));
        out.append(SoakVerdict.header()).append('\n');
        for (SoakVerdict v : verdicts(s, samples)) {
            out.append(v.render()).append('\n');
        }
        Sample after = tail.getFirst();
        Sample last = tail.getLast();
        out.append(String.format(Locale.ROOT, "%nIdle before the calls, after they all ended, and at the end of the idle tail:%n"
                                 + "  %s%n  %s%n  %s%n", Sample.HEADER, before.csv(), after.csv()));
        if (tail.size() > 1) {
            out.append(String.format(Locale.ROOT, "  %s%n%nIdle tail (%.1f min with no calls, %d samples; informative, "
                                     + "not part of the exit status):%n", last.csv(), last.minutes() - after.minutes(),
                                     tail.size() - 1));
            out.append(IdleTail.header()).append('\n');
            for (IdleTail t : idleTails(before, after, last)) {
                out.append(t.render()).append('\n');
            }
        }
        if (histogramAtWarmup != null && histogramAtEnd != null) {
            ClassHistogram a = ClassHistogram.parse(histogramAtWarmup);
            ClassHistogram b = ClassHistogram.parse(histogramAtEnd);
            out.append(String.format(Locale.ROOT, "%nLive heap by class, end of warm-up → last sample: %,d → %,d bytes; grew most:%n",
                                     a.totalBytes(), b.totalBytes()));
            out.append(ClassHistogram.render(a.growthTo(b, 15)));
        }
        return out.toString();
    }

    private static String save(Path file, String text) throws IOException {
        if (text != null) {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
        return text;
    }
}
