package dev.voiceagent.loadtest;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import dev.voiceagent.call.Ticker;
import dev.voiceagent.fakes.FakeTwilioCaller;

/**
 * Many concurrent callers against a running voice agent, the same scenario as {@code loadtest/k6/calls.js} for
 * machines without k6: {@code CALLS} callers (one shared HTTP client) start evenly over {@code RAMP_SECONDS}, each
 * holds a {@link SimulatedCall conversation}, and the run prints a {@link LoadReport}. Traffic goes to a loopback
 * address only, and the whole run is bounded by {@code MAX_SECONDS}.
 *
 * <p>Environment (defaults in brackets): {@code SERVER_URL} [http://127.0.0.1:8080], {@code PUBLIC_BASE_URL} and
 * {@code TWILIO_AUTH_TOKEN} (what the server verifies signatures with), {@code AGENT_NUMBER} [+15550100001],
 * {@code CALLS} [100], {@code TURNS} [3], {@code RAMP_SECONDS} [20], {@code PAUSE_MS} [1200],
 * {@code CLIPS} [book_appointment,yes_thanks,my_name], {@code REPLY_TIMEOUT_MS} [10000], {@code QUIET_MS} [700],
 * {@code MAX_SECONDS}, {@code WARMUP_CALLS} [30] (calls before the measured run, left out of the report) of
 * {@code WARMUP_TURNS} [1] turns each (set to the run's {@code TURNS}, the server's compiler does most of its work
 * before the measured run instead of in it; the warm-up takes at most 90 s),
 * {@code LISTEN_SECONDS} [5] (with all calls through their turns and holding the line, how long
 * to measure what carrying their media streams costs the server), and for server-side figures {@code SERVER_PID} (heap via jcmd, CPU via /proc) and
 * {@code SERVER_LOG} (the server's JSON log, for its per-turn timings), {@code FAKES_PID} (their CPU, so that the
 * report can tell how much of the machine other processes took); {@code REPORT_FILE} also saves the report, and {@code calls.csv} beside it every call's outcome.
 *
 * <p>Exit status: 0 if every target was met, 3 if the run completed but missed one, 2 on bad settings.
 */
public final class CallSimulator {

    /** The shared frame clock's tick: a caller's frame leaves at most this long before its 20 ms slot. */
    static final Duration FRAME_CLOCK_TICK = Duration.ofMillis(1);

    private static final Duration HANG_UP_GRACE = Duration.ofSeconds(15);
    private static final Duration WARMUP_RAMP = Duration.ofSeconds(5);
    /** How long the run waits at most for a quiet machine before its calls, and how it samples the machine. */
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(30);
    private static final Duration SETTLE_SAMPLE = Duration.ofMillis(500);
    /** Both cores together this busy or less counts as quiet (an idle VM here shows 2-10 %). */
    private static final long SETTLED_BUSY_PERCENT = 20;

    private CallSimulator() {
    }

    public static void main(String[] args) throws Exception {
        Knobs knobs = new Knobs(System.getenv());
        Settings s;
        try {
            s = Settings.from(knobs);
        } catch (IllegalArgumentException e) {
            System.err.println("call simulator: " + e.getMessage());
            System.exit(2);
            return;
        }
        LoadReport report = run(s);
        String text = report.render();
        System.out.print(text);
        if (s.reportFile != null) {
            Files.writeString(s.reportFile, text, StandardCharsets.UTF_8);
            // Every call's outcome and why, beside the report.
            Files.writeString(s.reportFile.resolveSibling("calls.csv"), report.callsCsv(), StandardCharsets.UTF_8);
        }
        System.exit(report.allTargetsMet() ? 0 : 3);
    }

    /** One run's settings. */
    private record Settings(URI server, String publicBaseUrl, String authToken, String to, int calls, int turns,
                            Duration ramp, Duration pause, List<String> clipNames, Duration replyTimeout, Duration quiet,
                            Duration maxRun, Duration listen, int warmupCalls, int warmupTurns, long serverPid, long fakesPid,
                            Path serverLog, Path reportFile, boolean relay) {

        static Settings from(Knobs k) throws Exception {
            URI server = URI.create(k.string("SERVER_URL", "http://127.0.0.1:8080"));
            // Load goes to this machine only: refuse anything that is not a loopback address.
            if (server.getHost() == null || !InetAddress.getByName(server.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException("SERVER_URL must be a loopback address, got " + server);
            }
            int calls = k.integer("CALLS", 100, 1, 5000);
            int turns = k.integer("TURNS", 3, 1, 50);
            int ramp = k.integer("RAMP_SECONDS", 20, 0, 3600);
            int pause = k.integer("PAUSE_MS", 1200, 0, 60_000);
            int replyTimeout = k.integer("REPLY_TIMEOUT_MS", 10_000, 100, 120_000);
            // A generous default bound: warm-up, ramp, then per turn up to a pause, a clip, an answer and its playout.
            int maxSeconds = k.integer("MAX_SECONDS", ramp + 150 + turns * (replyTimeout / 1000 + 15), 10, 6 * 3600);
            String pid = k.string("SERVER_PID", "");
            String log = k.string("SERVER_LOG", "");
            String report = k.string("REPORT_FILE", "");
            return new Settings(server, k.string("PUBLIC_BASE_URL", "https://voice-agent.loadtest.invalid"),
                                k.string("TWILIO_AUTH_TOKEN", FakeVendorsMain.TWILIO_AUTH_TOKEN),
                                k.string("AGENT_NUMBER", "+15550100001"), calls, turns, Duration.ofSeconds(ramp),
                                Duration.ofMillis(pause),
                                Arrays.asList(k.string("CLIPS", "book_appointment,yes_thanks,my_name").split(",")),
                                Duration.ofMillis(replyTimeout), Duration.ofMillis(k.integer("QUIET_MS", 700, 100, 5000)),
                                Duration.ofSeconds(maxSeconds), Duration.ofSeconds(k.integer("LISTEN_SECONDS", 5, 0, 600)),
                                k.integer("WARMUP_CALLS", 30, 0, 1000), k.integer("WARMUP_TURNS", 1, 1, 10),
                                pid.isEmpty() ? -1 : Long.parseLong(pid), k.integer("FAKES_PID", -1, -1, Integer.MAX_VALUE),
                                log.isEmpty() ? null : Path.of(log), report.isEmpty() ? null : Path.of(report),
                                transport(k));
        }

        /** {@code TRANSPORT}: media-stream (default, audio) or conversation-relay (text prompts, no audio). */
        private static boolean transport(Knobs k) {
            String t = k.string("TRANSPORT", "media-stream");
            return switch (t) {
                case "media-stream" -> false;
                case "conversation-relay" -> true;
                default -> throw new IllegalArgumentException("TRANSPORT must be media-stream or conversation-relay, got '" + t + "'");
            };
        }

        String title() {
            return (relay ? "ConversationRelay: " : "") + calls + " calls x " + turns + " turns, ramp " + ramp.toSeconds()
                   + " s, pause ~" + pause.toMillis() + " ms, "
                   + (relay ? "text prompts" : "clips " + String.join("/", clipNames));
        }
    }

    private static LoadReport run(Settings s) throws Exception {
        long deadline = System.nanoTime() + s.maxRun().toNanos();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        // One clock paces every caller's inbound frames: hundreds of timed parks every 20 ms would make the JDK's
        // delay scheduler the load generator's largest cost (see call.Ticker on the server side).
        Ticker frameClock = new Ticker(FRAME_CLOCK_TICK, System::nanoTime);
        ServerProbe probe = s.serverPid() > 0
                ? new ServerProbe(s.serverPid(), Path.of(System.getProperty("java.home")), s.server(), http) : null;
        TwilioEdge edge = new TwilioEdge(http, s.server(), s.publicBaseUrl(), s.authToken());
        List<byte[]> clips = s.clipNames().stream().map(String::strip).map(FakeTwilioCaller::clip).toList();
        SimulatedCall.Script script = new SimulatedCall.Script(clips, s.turns(), s.pause(), s.replyTimeout(), s.quiet(),
                                                               Duration.ofSeconds(30), deadline, s.to());
        Plateau plateau = new Plateau(s.calls());
        String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);

        if (s.warmupCalls() > 0) {
            warmUp(s, http, frameClock, edge, clips, deadline);
        }
        OptionalLong baselineKb = probe == null ? OptionalLong.empty() : probe.usedHeapAfterGcKb();
        if (probe != null) {
            settle(deadline);
        }
        Stamp runStart = Stamp.now(probe, s.fakesPid());
        System.err.printf("call simulator: %s against %s (baseline heap %s)%n", s.title(), s.server(),
                          baselineKb.isPresent() ? baselineKb.getAsLong() + " KB" : "not measured");

        // Not try-with-resources: close() would wait for stragglers past the deadline; shutdownNow() does not.
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        HiccupMeter hiccups = new HiccupMeter();
        try {
            Future<Stamp> allGreeted = pool.submit(() -> plateau.awaitAllGreeted(left(deadline)) ? Stamp.now(probe, s.fakesPid()) : null);
            Future<Stamp> firstDone = pool.submit(() -> plateau.awaitFirstDone(left(deadline)) ? Stamp.now(probe, s.fakesPid()) : null);
            Future<PlateauSample> plateauSample = pool.submit(() -> {
                try {
                    boolean all = plateau.awaitAllDone(left(deadline));
                    int holding = plateau.holding();
                    LoadReport.Window listening = null;
                    if (all && probe != null && !s.listen().isZero()) {
                        // Every call connected and quiet: what merely carrying N media streams costs the server.
                        Stamp from = Stamp.now(probe, s.fakesPid());
                        Thread.sleep(s.listen());
                        listening = from.until(Stamp.now(probe, s.fakesPid()));
                    }
                    OptionalLong used = probe == null || !all ? OptionalLong.empty() : probe.usedHeapAfterGcKb();
                    int active = probe == null ? -1 : probe.activeCalls();
                    System.err.printf("call simulator: plateau: %d calls holding, server counts %d active%n", holding, active);
                    return new PlateauSample(new LoadReport.Heap(baselineKb, used, holding, active), listening);
                } finally {
                    plateau.sampled();
                }
            });

            List<Future<CallResult>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < s.calls() && System.nanoTime() < deadline; i++) {
                long due = start + s.ramp().toNanos() * i / s.calls();
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String callSid = String.format("CA%s%016x", runId, i);
                futures.add(pool.submit(s.relay()
                        ? new SimulatedRelayCall(i, callSid, http, edge, script, plateau)
                        : new SimulatedCall(i, callSid, frameClock, edge, script, plateau)));
            }
            List<CallResult> results = new ArrayList<>();
            for (int i = 0; i < s.calls(); i++) {
                results.add(i < futures.size() ? collect(futures.get(i), i, deadline)
                                               : new CallResult(i, "", "never started (run deadline)", -1, List.of(), List.of(), 0));
            }
            Stamp runEnd = Stamp.now(probe, s.fakesPid());
            PlateauSample sample = plateauSample.isDone() ? plateauSample.get() : null;
            Stamp a = done(allGreeted);
            Stamp b = done(firstDone);
            LoadReport.Window plateauCpu = a != null && b != null && b.nanos > a.nanos ? a.until(b) : null;
            if (s.serverLog() != null) {
                Thread.sleep(1000); // let the server log the last calls' endings
            }
            ServerLog log = s.serverLog() == null ? ServerLog.parse(Stream.empty()) : ServerLog.read(s.serverLog(), "CA" + runId);
            return new LoadReport(s.title(), results, log, probe == null || sample == null ? null : sample.heap(), plateauCpu,
                                  sample == null ? null : sample.listening(), runStart.until(runEnd),
                                  hiccups.latenessMillis(), hiccups.stalls());
        } finally {
            hiccups.close();
            plateau.sampled();
            pool.shutdownNow(); // the samplers, if the deadline left them waiting
        }
    }

    /**
     * A short wave of one-turn calls before the measured run, so that the server's JIT has compiled the call path
     * and the figures describe a warm server, as in production after its first minutes. Its calls are left out
     * of the report (their CallSids start differently).
     */
    private static void warmUp(Settings s, HttpClient http, Ticker frameClock, TwilioEdge edge, List<byte[]> clips,
                               long deadline)
            throws InterruptedException {
        int n = s.warmupCalls();
        long until = Math.min(deadline, System.nanoTime() + Duration.ofSeconds(90).toNanos());
        SimulatedCall.Script script = new SimulatedCall.Script(clips, s.warmupTurns(), s.pause(), s.replyTimeout(), s.quiet(),
                                                               Duration.ofSeconds(30), until, s.to());
        Plateau plateau = new Plateau(n);
        plateau.sampled(); // nobody holds the line in a warm-up
        String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<CallResult>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String sid = String.format("CA%s%016x", runId, i);
                futures.add(pool.submit(s.relay() ? new SimulatedRelayCall(i, sid, http, edge, script, plateau)
                                                  : new SimulatedCall(i, sid, frameClock, edge, script, plateau)));
                Thread.sleep(WARMUP_RAMP.toMillis() / n);
            }
            long ok = 0;
            Map<String, Integer> failures = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                CallResult r = collect(futures.get(i), i, until);
                if (r.ok()) {
                    ok++;
                } else {
                    failures.merge(String.valueOf(r.failure()), 1, Integer::sum);
                }
            }
            System.err.printf("call simulator: warm-up: %d of %d calls ok%s%n", ok, n,
                              failures.isEmpty() ? "" : "; failed: " + failures);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Waits until the machine is quiet again after the warm-up and the baseline heap sample: the server's after-call
     * work for the warm-up calls, two {@code jcmd} launches and a forced full GC of the server keep both cores busy
     * for a while, and calls started into that stalled the simulator's own playout (a G1 pause of 180 ms whose
     * workers could not run), heard as gaps in the first turns.
     * At most {@link #SETTLE_LIMIT}; never past the deadline.
     */
    private static void settle(long deadline) throws InterruptedException {
        long until = Math.min(deadline, System.nanoTime() + SETTLE_LIMIT.toNanos());
        while (System.nanoTime() < until) {
            Optional<long[]> before = ServerProbe.machineTicks();
            Thread.sleep(SETTLE_SAMPLE);
            if (before.isEmpty()) {
                return;   // no /proc/stat: nothing to wait for
            }
            long busy = ServerProbe.busyPercent(before, ServerProbe.machineTicks());
            if (busy >= 0 && busy < SETTLED_BUSY_PERCENT) {
                return;
            }
        }
        System.err.println("call simulator: the machine did not settle after the heap sample; starting anyway");
    }

    private static CallResult collect(Future<CallResult> future, int index, long deadline) throws InterruptedException {
        try {
            // Calls bound their own waits by the deadline; the grace covers hanging up.
            return future.get(Math.max(0, deadline - System.nanoTime()) + HANG_UP_GRACE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return new CallResult(index, "", "did not finish by MAX_SECONDS", -1, List.of(), List.of(), 0);
        } catch (ExecutionException e) {
            return new CallResult(index, "", "simulator error: " + e.getCause(), -1, List.of(), List.of(), 0);
        }
    }

    private static Stamp done(Future<Stamp> future) {
        try {
            return future.isDone() ? future.get() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** What was measured with every call through its turns and holding the line. */
    private record PlateauSample(LoadReport.Heap heap, LoadReport.Window listening) {
    }

    /** A moment of the run, and the CPU time used by then: server, simulator, fakes, the whole machine. */
    private record Stamp(long nanos, OptionalLong serverCpuMillis, OptionalLong serverJitMillis,
                         OptionalLong simulatorCpuMillis, OptionalLong fakesCpuMillis, Optional<long[]> machineTicks) {

        static Stamp now(ServerProbe probe, long fakesPid) {
            return new Stamp(System.nanoTime(), probe == null ? OptionalLong.empty() : probe.cpuMillis(),
                             probe == null ? OptionalLong.empty() : probe.jitCpuMillis(),
                             ServerProbe.cpuMillis(ProcessHandle.current().pid()),
                             fakesPid > 0 ? ServerProbe.cpuMillis(fakesPid) : OptionalLong.empty(),
                             ServerProbe.machineTicks());
        }

        LoadReport.Window until(Stamp later) {
            long busyPercent = ServerProbe.busyPercent(machineTicks, later.machineTicks);
            return new LoadReport.Window((later.nanos - nanos) / 1_000_000, delta(serverCpuMillis, later.serverCpuMillis),
                                         delta(serverJitMillis, later.serverJitMillis),
                                         delta(simulatorCpuMillis, later.simulatorCpuMillis),
                                         delta(fakesCpuMillis, later.fakesCpuMillis), busyPercent,
                                         ServerProbe.machineCores());
        }

        private static long delta(OptionalLong from, OptionalLong to) {
            return from.isPresent() && to.isPresent() ? to.getAsLong() - from.getAsLong() : -1;
        }
    }
}
