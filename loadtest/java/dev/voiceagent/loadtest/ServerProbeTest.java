package dev.voiceagent.loadtest;

import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class ServerProbeTest {

    @Test
    void readsUsedHeapOfG1() {
        String out = """
                31918:
                 garbage-first heap   total reserved 6172672K, committed 393216K, used 11386K [0x0000000687400000, 0x0000000800000000)
                  region size 4096K, 3 young (12288K), 1 survivors (4096K)
                 Metaspace       used 1234K, committed 1408K, reserved 1114112K
                """;

        assertThat(ServerProbe.heapUsedKb(out), is(OptionalLong.of(11386)));
    }

    @Test
    void sumsTheGenerationsOfSerialAndParallelAndIgnoresMetaspaceAlone() {
        String serial = """
                14986:
                DefNew     total 116160K, used 31006K [0x0000000687400000, 0x000000068f200000, 0x0000000704d50000)
                 eden space 103296K,  30% used [0x0000000687400000, 0x0000000689247ad0, 0x000000068d8e0000)
                Tenured    total 258048K, used 1166K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                 Metaspace       used 1234K, committed 1408K, reserved 1114112K
                """;
        String parallel = " PSYoungGen      total 38400K, used 2662K [0x...)\n ParOldGen       total 87552K, used 100K [0x...)\n";

        assertThat(ServerProbe.heapUsedKb(serial), is(OptionalLong.of(32172)));
        assertThat(ServerProbe.heapUsedKb(parallel), is(OptionalLong.of(2762)));
        assertThat(ServerProbe.heapUsedKb(" Metaspace       used 1234K, committed 1408K\n"), is(OptionalLong.empty()));
    }

    @Test
    void cpuTicksAreUtimePlusStimeEvenWithSpacesInTheCommandName() {
        String stat = "31918 (java (x) y) S 31852 31852 29839 0 -1 4194304 18445 0 6 0 94 7 0 0 20 0 20 0 285086";

        assertThat(ServerProbe.cpuTicks(stat), is(OptionalLong.of(101)));
        assertThat(ServerProbe.cpuTicks("garbage"), is(OptionalLong.empty()));
    }

    @Test
    void machineTicksAreBusyAndTotalOverAllCores() {
        String stat = "cpu  100 5 50 800 45 0 10 0 0 0\ncpu0 50 2 25 400 20 0 5 0 0 0\n";

        long[] ticks = ServerProbe.machineTicks(stat).orElseThrow();
        assertThat(ticks[0], is(165L)); // 1010 total - 800 idle - 45 iowait
        assertThat(ticks[1], is(1010L));
        assertThat(ServerProbe.machineTicks("intr 1 2 3").isPresent(), is(false));
    }

    @Test
    void busyPercentIsTheBusyShareOfTheTicksBetweenTwoReadings() {
        Optional<long[]> before = Optional.of(new long[] {100, 1000});
        assertThat(ServerProbe.busyPercent(before, Optional.of(new long[] {130, 1200})), is(15L));
        assertThat(ServerProbe.busyPercent(before, Optional.of(new long[] {100, 1000})), is(-1L));   // no time passed
        assertThat(ServerProbe.busyPercent(Optional.empty(), before), is(-1L));
    }

    @Test
    void compilerThreadsAreToldApartByTheirName() {
        assertThat(ServerProbe.isJitThread("4112 (C2 CompilerThre) S 1 4100 0 0 -1 4194368 9 0 0 0 2735 36 0 0"), is(true));
        assertThat(ServerProbe.isJitThread("4113 (C1 CompilerThre) S 1 4100 0 0 -1 4194368 9 0 0 0 45 3 0 0"), is(true));
        assertThat(ServerProbe.isJitThread("4120 (ForkJoinPool-1-) S 1 4100 0 0 -1 4194368 9 0 0 0 45 3 0 0"), is(false));
        assertThat(ServerProbe.isJitThread("4121 (C3 CompilerThre) S 1"), is(false));
        assertThat(ServerProbe.isJitThread("4122 (java) S 1"), is(false));
    }
}
