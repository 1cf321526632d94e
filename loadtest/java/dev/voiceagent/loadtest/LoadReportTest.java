package dev.voiceagent.loadtest;

import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

class LoadReportTest {

    private static String turn(long serverMs) {
        return "{\"level\":\"INFO\",\"msg\":\"turn\",\"callSid\":\"CA1\",\"eosMs\":600,\"sttMs\":350,"
               + "\"voiceToVoiceMs\":1500,\"serverMs\":" + serverMs + ",\"interrupted\":false}";
    }

    private static CallResult ok(int i, long... replies) {
        return new CallResult(i, "CA" + i, null, 300, java.util.Arrays.stream(replies).boxed().toList(), List.of(), 0);
    }

    @Test
    void aCleanRunMeetsEveryTarget() {
        LoadReport report = new LoadReport("2 calls", List.of(ok(0, 1500, 1510), ok(1, 1490)),
                ServerLog.parse(Stream.of(turn(5), turn(9), turn(12))),
                new LoadReport.Heap(OptionalLong.of(40_000), OptionalLong.of(40_400), 2, 2),
                new LoadReport.Window(1000, 500, 100, 300, 100, 50, 2), new LoadReport.Window(5000, 200, -1, 100, 50, 10, 2),
                new LoadReport.Window(10_000, 3000, 200, 2000, 500, 30, 2));

        assertThat(report.allTargetsMet(), is(true));
        assertThat(report.heap().perCallKb(), is(OptionalLong.of(200)));
        String text = report.render();
        assertThat(text, containsString("2 ok, 0 failed"));
        assertThat(text, containsString("p50 1500 ms, p95 1510 ms, p99 1510 ms, max 1510 ms (n=3)"));
        assertThat(text, containsString("server 50 (JIT compiler 10), simulator 30, fakes 10, other processes 10 (% of one core); machine 50 % busy of 2 cores (1000 ms)"));
        // 500 ms of CPU in 1 s with 2 calls talking; 100 ms of it compiling
        assertThat(text, containsString("250.00 ms of server CPU per second of a talking call (200.00 without the JIT compiler"));
        assertThat(text, containsString("server 4, simulator 2")); // unknown JIT share: not shown
        assertThat(text, containsString("MET  serverMs p99 < 20 ms"));
        assertThat(text, containsString("server stutters      0"));
        assertThat(text, containsString("20.00 ms of server CPU per second of a connected call")); // 200 ms / 5 s / 2 calls
    }

    @Test
    void failuresGapsSlowServerAndBigHeapAreMisses() {
        CallResult failed = new CallResult(1, "CA1", "turn 2: no answer within 10000 ms", 300, List.of(1500L), List.of(), 0);
        CallResult stutter = new CallResult(2, "CA2", null, 300, List.of(1500L), List.of(40L, 120L), 1);
        LoadReport report = new LoadReport("3 calls", List.of(ok(0, 1500), failed, stutter),
                ServerLog.parse(Stream.of(turn(5), turn(25),
                        "{\"level\":\"INFO\",\"msg\":\"playout ran dry\",\"callSid\":\"CA2\",\"ms\":120,\"cause\":\"sent_late\"}",
                        "{\"level\":\"INFO\",\"msg\":\"playout ran dry\",\"callSid\":\"CA2\",\"ms\":40,\"cause\":\"sent_late\"}")),
                new LoadReport.Heap(OptionalLong.of(40_000), OptionalLong.of(41_536), 3, 3), null, null, null);

        List<LoadReport.Target> targets = report.targets();
        assertThat(targets.stream().map(LoadReport.Target::met).toList(), is(List.of(false, false, false, false)));
        assertThat(targets.get(0).measured(), is("1 of 3 failed"));
        assertThat(targets.get(1).measured(), is("2 gaps, longest 120 ms"));
        assertThat(targets.get(2).measured(), is("p99 25 ms"));
        assertThat(targets.get(3).measured(), is("512 KB"));
        assertThat(report.render(), containsString("1 x turn 2: no answer within 10000 ms"));
        assertThat(report.render(), containsString("server stutters      2 sent_late (longest 120 ms)"));
    }

    @Test
    void callsCsvHasOneQuotedLinePerCall() {
        CallResult failed = new CallResult(1, "CA1", "webhook answered 403: \"invalid\", refused", -1, List.of(), List.of(), 0);
        CallResult stutter = new CallResult(2, "CA2", null, 300, List.of(1500L, 1510L), List.of(40L), 1, List.of("turn 1"));
        LoadReport report = new LoadReport("2 calls", List.of(failed, stutter), ServerLog.parse(Stream.of()), null, null,
                                           null, null);

        assertThat(report.callsCsv(), is("call,callSid,ok,failure,greetingMs,replyMs,gapsMs,gapPhases,clears\n"
                + "1,CA1,false,\"webhook answered 403: \"\"invalid\"\", refused\",-1,,,,0\n"
                + "2,CA2,true,,300,1500 1510,40,turn 1,1\n"));
    }

    @Test
    void aLateSimulatorIsFlagged() {
        List<Long> late = new java.util.ArrayList<>(java.util.Collections.nCopies(98, 1L));
        late.addAll(List.of(120L, 300L));
        LoadReport report = new LoadReport("1 call", List.of(ok(0, 1500)), ServerLog.parse(Stream.of(turn(5))), null,
                                           null, null, null, late, List.of());

        assertThat(report.render(), containsString("simulator lateness   p50 1 ms, p95 1 ms, p99 120 ms, max 300 ms"));
        assertThat(report.render(), containsString("the simulator itself ran late (p99 120 ms)"));
    }

    @Test
    void anUnmeasuredTargetIsAMiss() {
        LoadReport report = new LoadReport("1 call", List.of(ok(0, 1500)), ServerLog.parse(Stream.of()),
                new LoadReport.Heap(OptionalLong.empty(), OptionalLong.of(1), 1, -1), null, null, null);

        assertThat(report.targets().get(2).measured(), is("no turn logged"));
        assertThat(report.targets().get(3).measured(), is("not measured"));
        assertThat(report.allTargetsMet(), is(false));
    }

    @Test
    void gapsDuringTheSimulatorsOwnStallsAreCounted() {
        long ms = 1_000_000;
        long t = 1_000_000 * ms;   // an arbitrary nanoTime
        // gap of 100 ms ending at t: silent from t - 100 ms; a stall of 80 ms ending at t - 50 ms overlaps it
        CallResult heldUp = new CallResult(1, "CA1", null, 300, List.of(1500L), List.of(100L), 0, List.of("turn 1"),
                                           List.of(t));
        // gap of 40 ms ending at t + 2 s: no stall near it
        CallResult server = new CallResult(2, "CA2", null, 300, List.of(1500L), List.of(40L), 0, List.of("turn 1"),
                                           List.of(t + 2_000 * ms));
        // gap of 30 ms ending 500 ms before the stall began: no overlap
        CallResult before = new CallResult(3, "CA3", null, 300, List.of(1500L), List.of(30L), 0, List.of("turn 2"),
                                           List.of(t - 500 * ms));
        List<LoadReport.Stall> stalls = List.of(new LoadReport.Stall(t - 50 * ms, 80));
        LoadReport report = new LoadReport("3 calls", List.of(heldUp, server, before),
                                           ServerLog.parse(Stream.of(turn(5))), null, null, null, null,
                                           List.of(1L, 80L), stalls);

        assertThat(report.gapsInSimulatorStalls(), is(1L));
        assertThat(report.render(), containsString("in a generator stall 1 of 3"));
    }
}
