package dev.voiceagent.loadtest;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PercentilesTest {

    @Test
    void nearestRankOnOneToAHundred() {
        List<Long> samples = new ArrayList<>();
        for (long i = 100; i >= 1; i--) {
            samples.add(i);
        }
        Percentiles p = Percentiles.of(samples);

        assertThat(p.at(50), is(50L));
        assertThat(p.at(95), is(95L));
        assertThat(p.at(99), is(99L));
        assertThat(p.at(100), is(100L));
        assertThat(p.max(), is(100L));
        assertThat(p.count(), is(100));
    }

    @Test
    void smallSetsReportMeasuredValuesOnly() {
        Percentiles p = Percentiles.of(List.of(10L, 30L, 20L));

        assertThat(p.at(50), is(20L));   // rank ceil(1.5) = 2
        assertThat(p.at(99), is(30L));   // rank ceil(2.97) = 3
        assertThat(p.at(1), is(10L));
    }

    @Test
    void noSamples() {
        Percentiles p = Percentiles.of(List.of());

        assertThat(p.at(99), is(-1L));
        assertThat(p.max(), is(-1L));
        assertThat(p.summaryMillis(), is("-"));
    }

    @Test
    void percentileOutOfRangeIsRefused() {
        Percentiles p = Percentiles.of(List.of(1L));

        assertThrows(IllegalArgumentException.class, () -> p.at(0));
        assertThrows(IllegalArgumentException.class, () -> p.at(101));
    }
}
