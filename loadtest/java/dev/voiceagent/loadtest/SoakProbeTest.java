package dev.voiceagent.loadtest;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** What the soak reads from /proc, PostgreSQL's postmaster.pid, the metrics page and a JSON thread dump. */
class SoakProbeTest {

    private static final String STATUS = """
            Name:\tjava
            Umask:\t0022
            State:\tS (sleeping)
            VmPeak:\t 4313056 kB
            VmHWM:\t  250192 kB
            VmRSS:\t  220912 kB
            RssAnon:\t  190000 kB
            Threads:\t41
            SigQ:\t0/95324
            """;

    @Test
    void readsResidentMemoryAndThreadsFromProcStatus() {
        assertThat(SoakProbe.statusField(STATUS, "VmRSS"), is(OptionalLong.of(220912)));
        assertThat(SoakProbe.statusField(STATUS, "Threads"), is(OptionalLong.of(41)));
        assertThat(SoakProbe.statusField("Name:\tjava\n", "VmRSS"), is(OptionalLong.empty()));
    }

    @Test
    void readsThePortOnTheFourthLineOfPostmasterPid() {
        String pid = "2424\n/work/data/postgres\n1764797674\n44511\n/tmp\nlocalhost\n  5432001  0\nready   \n";
        assertThat(SoakProbe.postmasterPort(pid), is(OptionalLong.of(44511)));
        assertThat(SoakProbe.postmasterPort("2424\n/work/data\n"), is(OptionalLong.empty()));
    }

    @Test
    void readsTheLiveThreadGaugeNotItsNeighbours() {
        String page = """
                # TYPE thread_daemon_count gauge
                thread_daemon_count{scope="base",} 17.0
                # TYPE thread_max_count gauge
                thread_max_count{scope="base",} 31.0
                # HELP thread_count Displays the current number of live threads
                # TYPE thread_count gauge
                thread_count{scope="base",} 29.0
                """;
        assertThat(SoakProbe.threadMetric(page), is(OptionalLong.of(29)));
        assertThat(SoakProbe.threadMetric("jvm_threads_live_threads 12.0\n"), is(OptionalLong.of(12)));
        assertThat(SoakProbe.threadMetric("thread_max_count 31.0\n"), is(OptionalLong.empty()));
    }

    @Test
    void countsTheVirtualThreadsOfAJsonThreadDump() {
        String dump = """
                {"threadDump": {"threadContainers": [
                  {"container": "<root>", "threads": [
                    {"tid": "3", "name": "main", "state": "RUNNABLE"},
                    {"tid": "41", "name": "", "state": "WAITING", "virtual": true},
                    {"tid": "42", "name": "", "state": "WAITING", "virtual" : true}
                  ]}]}}
                """;
        assertThat(SoakProbe.virtualThreadCount(dump), is(2L));
    }
}
