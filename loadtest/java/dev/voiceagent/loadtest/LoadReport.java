package dev.voiceagent.loadtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The outcome of a load run, judged against the targets: no failed call, no audio gap, the server's own
 * share of voice-to-voice latency ({@code serverMs}) under 20 ms at p99, and under 256 KB of heap per active call.
 *
 * @param title          what ran, e.g. {@code "100 calls x 3 turns, ramp 20 s"}
 * @param calls          every call's result
 * @param server         what the server logged
 * @param heap           the heap samples (baseline and plateau), if taken
 * @param plateau        CPU use while all calls were in conversation, if measured
 * @param listening      CPU use with all calls connected, through their turns, and quiet, if measured
 * @param run            CPU use over the whole run, if measured
 * @param simulatorLateness how late the simulator's own timer thread woke, in ms, sampled through the run
 * @param simulatorStalls   the times it woke {@link HiccupMeter#STALL_MILLIS} or more late
 */
public record LoadReport(String title, List<CallResult> calls, ServerLog server, Heap heap, Window plateau,
                         Window listening, Window run, List<Long> simulatorLateness, List<Stall> simulatorStalls) {

    /** A report without a measure of the simulator's own lateness. */
    public LoadReport(String title, List<CallResult> calls, ServerLog server, Heap heap, Window plateau,
                      Window listening, Window run) {
        this(title, calls, server, heap, plateau, listening, run, List.of(), List.of());
    }

    /**
     * The simulator's timer woke {@code lateMillis} late at {@code endNanos} ({@link System#nanoTime()}): the
     * generator itself was held up that long, somewhere within the timer's period and the lateness before then.
     */
    public record Stall(long endNanos, long lateMillis) {

        /** Whether this stall overlaps the silence of {@code gapMillis} that ended at {@code gapEndNanos}. */
        boolean overlaps(long gapEndNanos, long gapMillis) {
            long stallStart = endNanos - (lateMillis + HiccupMeter.PERIOD.toMillis()) * 1_000_000;
            return stallStart <= gapEndNanos && gapEndNanos - gapMillis * 1_000_000 <= endNanos;
        }
    }

    /**
     * Gaps whose silence overlaps a stall of the simulator itself: those may be the generator's, not the server's
     * (its reader was held up, so audio the server sent in time was taken late). Gaps without a time do not count.
     */
    long gapsInSimulatorStalls() {
        long n = 0;
        for (CallResult c : calls) {
            for (int i = 0; i < c.gapEndsNanos().size(); i++) {
                long end = c.gapEndsNanos().get(i);
                long millis = c.gapsMillis().get(i);
                if (simulatorStalls.stream().anyMatch(s -> s.overlaps(end, millis))) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Beyond this much lateness of the load generator, its own timing may explain gaps: the report says so. */
    static final long SIMULATOR_LATE_WARNING_MS = 50;

    /** The limits. */
    static final long SERVER_MS_P99_LIMIT = 20;
    static final long HEAP_PER_CALL_LIMIT_KB = 256;

    /**
     * Used heap after a forced full GC, before any call and with all calls connected.
     *
     * @param activeCalls what the server itself counted at the plateau, or -1
     */
    public record Heap(OptionalLong baselineKb, OptionalLong plateauKb, int connectedCalls, int activeCalls) {

        /** (plateau − baseline) / connected calls, in KB; empty if a sample is missing. */
        public OptionalLong perCallKb() {
            if (baselineKb.isEmpty() || plateauKb.isEmpty() || connectedCalls <= 0) {
                return OptionalLong.empty();
            }
            return OptionalLong.of((plateauKb.getAsLong() - baselineKb.getAsLong()) / connectedCalls);
        }
    }

    /**
     * CPU used over a stretch of wall time by the server, the simulator and the fake vendors, and how busy the whole
     * machine was ({@code cores} of them): what is left is other processes, which make a run's figures unreliable.
     * -1 where unknown.
     */
    public record Window(long wallMillis, long serverCpuMillis, long serverJitMillis, long simulatorCpuMillis,
                         long fakesCpuMillis, long machineBusyPercent, int cores) {

        /** Per cent of one core (200 % is both cores of a 2-core machine). */
        static long percentOfOneCore(long cpuMillis, long wallMillis) {
            return wallMillis <= 0 || cpuMillis < 0 ? -1 : Math.round(100.0 * cpuMillis / wallMillis);
        }

        /** CPU of processes other than the three of the run, in per cent of one core; -1 if unknown. */
        long otherPercentOfOneCore() {
            if (machineBusyPercent < 0 || serverCpuMillis < 0 || simulatorCpuMillis < 0 || fakesCpuMillis < 0) {
                return -1;
            }
            long ours = percentOfOneCore(serverCpuMillis + simulatorCpuMillis + fakesCpuMillis, wallMillis);
            return Math.max(0, machineBusyPercent * cores - ours);
        }

        String describe() {
            return "server " + percentOfOneCore(serverCpuMillis, wallMillis)
                   + (serverJitMillis < 0 ? "" : " (JIT compiler " + percentOfOneCore(serverJitMillis, wallMillis) + ")")
                   + ", simulator "
                   + percentOfOneCore(simulatorCpuMillis, wallMillis) + ", fakes "
                   + percentOfOneCore(fakesCpuMillis, wallMillis) + ", other processes " + otherPercentOfOneCore()
                   + " (% of one core); machine " + machineBusyPercent + " % busy of " + cores + " cores";
        }
    }

    /** One target and whether the run met it. */
    public record Target(String name, boolean met, String measured) {
    }

    /** Each target with its measured value; a target that could not be measured counts as missed. */
    public List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        long failed = calls.stream().filter(c -> !c.ok()).count();
        targets.add(new Target("no failed call", failed == 0, failed + " of " + calls.size() + " failed"));
        List<Long> gaps = gaps();
        targets.add(new Target("no audio gap", gaps.isEmpty(),
                               gaps.size() + " gaps" + (gaps.isEmpty() ? "" : ", longest " + Percentiles.of(gaps).max() + " ms")));
        Percentiles serverMs = Percentiles.of(server.samples(ServerLog.Turn::serverMs));
        targets.add(new Target("serverMs p99 < " + SERVER_MS_P99_LIMIT + " ms",
                               serverMs.count() > 0 && serverMs.at(99) < SERVER_MS_P99_LIMIT,
                               serverMs.count() == 0 ? "no turn logged" : "p99 " + serverMs.at(99) + " ms"));
        OptionalLong perCall = heap == null ? OptionalLong.empty() : heap.perCallKb();
        targets.add(new Target("heap per active call < " + HEAP_PER_CALL_LIMIT_KB + " KB",
                               perCall.isPresent() && perCall.getAsLong() < HEAP_PER_CALL_LIMIT_KB,
                               perCall.isPresent() ? perCall.getAsLong() + " KB" : "not measured"));
        return targets;
    }

    /** Whether every target was met. */
    public boolean allTargetsMet() {
        return targets().stream().allMatch(Target::met);
    }

    /** The report as plain text. */
    public String render() {
        StringBuilder out = new StringBuilder();
        long ok = calls.stream().filter(CallResult::ok).count();
        out.append("== voice-agent load run: ").append(title).append(" ==\n");
        line(out, "calls", ok + " ok, " + (calls.size() - ok) + " failed");
        failureReasons().forEach((reason, n) -> line(out, "  failed", n + " x " + reason));
        line(out, "greeting", Percentiles.of(calls.stream().filter(c -> c.greetingMillis() >= 0)
                                                     .map(CallResult::greetingMillis).toList()).summaryMillis()
                                + "  (start -> first greeting audio)");
        line(out, "reply latency", Percentiles.of(calls.stream().flatMap(c -> c.replyMillis().stream()).toList())
                                          .summaryMillis() + "  (end of utterance -> first agent audio, caller side)");
        List<Long> gaps = gaps();
        line(out, "audio gaps", gaps.size() + (gaps.isEmpty() ? "" : ", longest " + Percentiles.of(gaps).max() + " ms, in "
                                                                   + calls.stream().filter(c -> !c.gapsMillis().isEmpty()).count() + " calls"));
        calls.stream().flatMap(c -> c.gapPhases().stream())
                .collect(Collectors.groupingBy(phase -> phase, java.util.TreeMap::new, Collectors.counting()))
                .forEach((phase, n) -> line(out, "  gaps in", phase + ": " + n));
        if (!gaps.isEmpty() && !simulatorLateness.isEmpty()) {
            line(out, "  in a generator stall", gapsInSimulatorStalls() + " of " + gaps.size()
                                                + "  (the simulator's own timer >= " + HiccupMeter.STALL_MILLIS
                                                + " ms late while that audio was missing)");
        }
        line(out, "server stutters", server.stutters().isEmpty() ? "0  (holes the server's playout saw in a reply)"
                : server.stutters().entrySet().stream()
                        .map(e -> e.getValue().size() + " " + e.getKey() + " (longest " + Percentiles.of(e.getValue()).max()
                                  + " ms)")
                        .collect(Collectors.joining(", "))
                  + "  (words_late: the model or a tool had not given the words; speech_late: the voice had not delivered;"
                  + " sent_late: audio ready, the server sent it late)");
        line(out, "clears", calls.stream().mapToInt(CallResult::clears).sum() + "  (server believed it was interrupted)");
        line(out, "server turns", server.turns().size() + " logged"
                                  + " (" + server.turns().stream().filter(ServerLog.Turn::interrupted).count() + " interrupted)");
        stage(out, "voiceToVoiceMs", ServerLog.Turn::voiceToVoiceMs);
        stage(out, "serverMs", ServerLog.Turn::serverMs);
        stage(out, "eosMs", ServerLog.Turn::eosMs);
        stage(out, "sttMs", ServerLog.Turn::sttMs);
        stage(out, "llmFirstTokenMs", ServerLog.Turn::llmFirstTokenMs);
        stage(out, "llmFirstSentenceMs", ServerLog.Turn::llmFirstSentenceMs);
        stage(out, "ttsFirstByteMs", ServerLog.Turn::ttsFirstByteMs);
        stage(out, "firstFrameMs", ServerLog.Turn::firstFrameMs);
        server.endReasons().forEach((reason, n) -> line(out, "  call ended", n + " x " + reason));
        server.warnings().entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8)
                .forEach(w -> line(out, "  warning", w.getValue() + " x " + w.getKey()));
        if (heap != null) {
            line(out, "heap", "baseline " + kb(heap.baselineKb()) + ", plateau " + kb(heap.plateauKb()) + " with "
                              + heap.connectedCalls() + " calls connected (server counts " + heap.activeCalls()
                              + " active) -> " + kb(heap.perCallKb()) + " per call");
        }
        if (plateau != null) {
            line(out, "CPU, all talking", plateau.describe() + " (" + plateau.wallMillis() + " ms)");
            if (!calls.isEmpty() && plateau.serverCpuMillis() >= 0 && plateau.wallMillis() > 0) {
                java.util.function.LongFunction<Double> perCall =
                        cpuMillis -> (double) cpuMillis * 1000 / plateau.wallMillis() / calls.size();
                String withoutJit = plateau.serverJitMillis() < 0 ? "" : String.format(
                        " (%.2f without the JIT compiler, which fades once the code is warm)",
                        perCall.apply(plateau.serverCpuMillis() - plateau.serverJitMillis()));
                line(out, "  per call", String.format("%.2f ms of server CPU per second of a talking call",
                                                      perCall.apply(plateau.serverCpuMillis())) + withoutJit);
            }
        }
        if (listening != null) {
            line(out, "CPU, all listening", listening.describe() + " (" + listening.wallMillis() + " ms)");
            if (heap != null && heap.connectedCalls() > 0 && listening.serverCpuMillis() >= 0) {
                line(out, "  per call", String.format("%.2f ms of server CPU per second of a connected call",
                        (double) listening.serverCpuMillis() * 1000 / listening.wallMillis() / heap.connectedCalls()));
            }
        }
        if (run != null) {
            line(out, "CPU, whole run", run.describe() + " (" + run.wallMillis() / 1000 + " s)");
        }
        if (!simulatorLateness.isEmpty()) {
            Percentiles late = Percentiles.of(simulatorLateness);
            line(out, "simulator lateness", late.summaryMillis() + "  (its own 10 ms timer; the load generator's health)");
            if (late.at(99) > SIMULATOR_LATE_WARNING_MS) {
                line(out, "  WARNING", "the simulator itself ran late (p99 " + late.at(99) + " ms): some gaps and latency"
                                       + " may be its own; use a second machine or fewer calls");
            }
        }
        out.append("targets:\n");
        for (Target t : targets()) {
            out.append(String.format("  %-4s %-32s %s%n", t.met() ? "MET" : "MISS", t.name(), t.measured()));
        }
        return out.toString();
    }

    /** One line per call: its outcome, why it failed, its timings and gaps (CSV, RFC 4180 quoting). */
    public String callsCsv() {
        StringBuilder out = new StringBuilder("call,callSid,ok,failure,greetingMs,replyMs,gapsMs,gapPhases,clears\n");
        for (CallResult c : calls) {
            out.append(c.index()).append(',').append(c.callSid()).append(',').append(c.ok()).append(',')
                    .append(csv(c.failure() == null ? "" : c.failure())).append(',').append(c.greetingMillis()).append(',')
                    .append(csv(join(c.replyMillis()))).append(',').append(csv(join(c.gapsMillis()))).append(',')
                    .append(csv(String.join(";", c.gapPhases()))).append(',').append(c.clears()).append('\n');
        }
        return out.toString();
    }

    private static String join(List<Long> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    private static String csv(String field) {
        return field.matches("[^,\"\n\r]*") ? field : "\"" + field.replace("\"", "\"\"") + "\"";
    }

    private List<Long> gaps() {
        return calls.stream().flatMap(c -> c.gapsMillis().stream()).toList();
    }

    /** Failure reasons with call-specific numbers folded, most common first. */
    Map<String, Long> failureReasons() {
        Function<CallResult, String> reason = c -> c.failure().replaceAll("CA[0-9a-f]{32}", "CA…");
        return calls.stream().filter(c -> !c.ok())
                .collect(Collectors.groupingBy(reason, Collectors.counting()))
                .entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(10)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, java.util.LinkedHashMap::new));
    }

    private void stage(StringBuilder out, String name, ToLongFunction<ServerLog.Turn> field) {
        line(out, "  " + name, Percentiles.of(server.samples(field)).summaryMillis());
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format("%-20s %s%n", label, value));
    }

    private static String kb(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() + " KB" : "?";
    }
}
