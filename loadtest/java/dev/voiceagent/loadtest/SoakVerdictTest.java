package dev.voiceagent.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** The soak verdict: least-squares slope per hour, the growth threshold, warm-up, and each trend. */
class SoakVerdictTest {

    private static final double FIVE_PERCENT = 0.05;

    /** One sample a minute from minute 0 to {@code minutes}, value {@code f(t)} plus noise of ±{@code noise}. */
    private static List<SoakVerdict.Point> series(int minutes, DoubleUnaryOperator f, double noise, long seed) {
        Random random = new Random(seed);
        List<SoakVerdict.Point> points = new ArrayList<>();
        for (int t = 0; t <= minutes; t++) {
            points.add(new SoakVerdict.Point(t, f.applyAsDouble(t) + noise * (2 * random.nextDouble() - 1)));
        }
        return points;
    }

    @Test
    void slopeOfAStraightLineIsExactAndPerHour() {
        // 100 MB + 2 MB a minute: 120 MB an hour
        SoakVerdict v = SoakVerdict.judge("heap", series(30, t -> 100_000 + 2_000 * t, 0, 1), 0, FIVE_PERCENT, 0);
        assertThat(v.slopePerHour(), closeTo(120_000, 1e-6));
        assertThat(v.stdErrPerHour(), closeTo(0, 1e-6));
        assertThat(v.level(), closeTo(130_000, 1e-6));
        assertThat(v.samples(), is(31));
        assertThat(v.trend(), is(SoakVerdict.Trend.GROWING));
        assertThat(v.trend().stoppedGrowing(), is(false));
    }

    @Test
    void steadyValueWithNoiseIsFlat() {
        SoakVerdict v = SoakVerdict.judge("rss", series(60, t -> 200_000, 5_000, 2), 5, FIVE_PERCENT, 0);
        assertThat(v.trend(), is(SoakVerdict.Trend.FLAT));
        assertThat(v.trend().stoppedGrowing(), is(true));
        assertThat(v.thresholdPerHour(), closeTo(10_000, 500)); // 5 % of the level, per hour
    }

    @Test
    void growthJustAboveTheThresholdIsGrowingAndJustBelowIsFlat() {
        // level about 100: 5 %/h is 5 units an hour
        SoakVerdict above = SoakVerdict.judge("fds", series(60, t -> 100 + 6.0 * t / 60, 0.1, 3), 0, FIVE_PERCENT, 0);
        SoakVerdict below = SoakVerdict.judge("fds", series(60, t -> 100 + 4.0 * t / 60, 0.1, 3), 0, FIVE_PERCENT, 0);
        assertThat(above.trend(), is(SoakVerdict.Trend.GROWING));
        assertThat(below.trend(), is(SoakVerdict.Trend.FLAT));
    }

    @Test
    void warmUpSamplesAreLeftOut() {
        // a steep climb in the first five minutes (JIT, pools filling), then steady
        List<SoakVerdict.Point> points = series(40, t -> t < 5 ? 50_000 + 20_000 * t : 150_000, 1_000, 4);
        assertThat(SoakVerdict.judge("heap", points, 5, FIVE_PERCENT, 0).trend(), is(SoakVerdict.Trend.FLAT));
        assertThat(SoakVerdict.judge("heap", points, 0, FIVE_PERCENT, 0).trend(), is(SoakVerdict.Trend.LEVELLED));
    }

    @Test
    void growthThatStopsInTheSecondHalfHasLevelledOff() {
        SoakVerdict v = SoakVerdict.judge("threads", series(60, t -> Math.min(100 + t, 130), 0.3, 5), 0, FIVE_PERCENT, 0);
        assertThat(v.slopePerHour() > v.thresholdPerHour(), is(true));
        assertThat(v.secondHalfSlopePerHour() < v.thresholdPerHour(), is(true));
        assertThat(v.trend(), is(SoakVerdict.Trend.LEVELLED));
        assertThat(v.trend().stoppedGrowing(), is(true));
    }

    @Test
    void fallingIsFalling() {
        SoakVerdict v = SoakVerdict.judge("rss", series(60, t -> 300_000 - 1_000 * t, 100, 6), 0, FIVE_PERCENT, 0);
        assertThat(v.trend(), is(SoakVerdict.Trend.FALLING));
        assertThat(v.trend().stoppedGrowing(), is(true));
    }

    @Test
    void aSlopeLostInTheScatterIsNoisyNotGrowing() {
        // level 100, true slope 0, but samples jump between 50 and 150: one run's slope estimate is meaningless
        List<SoakVerdict.Point> points = new ArrayList<>();
        double[] values = {50, 150, 60, 140, 55, 145, 150, 60, 150, 50, 150, 150};
        for (int t = 0; t < values.length; t++) {
            points.add(new SoakVerdict.Point(t, values[t]));
        }
        SoakVerdict v = SoakVerdict.judge("heap", points, 0, FIVE_PERCENT, 0);
        assertThat(v.slopePerHour() > v.thresholdPerHour(), is(true));
        assertThat(v.slopePerHour() - 2 * v.stdErrPerHour() <= 0, is(true));
        assertThat(v.trend(), is(SoakVerdict.Trend.NOISY));
        assertThat(v.trend().stoppedGrowing(), is(false));
    }

    @Test
    void theFloorKeepsSmallCountsFromLookingLikeLeaks() {
        // 2 connections, one more for a while near the end: 5 % of 2 would be 0.1 an hour
        List<SoakVerdict.Point> points = series(60, t -> t > 50 ? 3 : 2, 0, 7);
        assertThat(SoakVerdict.judge("db", points, 0, FIVE_PERCENT, 0).trend(), is(SoakVerdict.Trend.GROWING));
        SoakVerdict floored = SoakVerdict.judge("db", points, 0, FIVE_PERCENT, 1);
        assertThat(floored.thresholdPerHour(), is(1.0));
        assertThat(floored.trend(), is(SoakVerdict.Trend.FLAT));
    }

    @Test
    void tooFewSamplesAfterWarmUpGiveNoVerdict() {
        SoakVerdict v = SoakVerdict.judge("heap", series(9, t -> 1000 + 100 * t, 0, 8), 5, FIVE_PERCENT, 0);
        assertThat(v.samples(), is(5));
        assertThat(v.trend(), is(SoakVerdict.Trend.TOO_SHORT));
        assertThat(v.trend().stoppedGrowing(), is(false));
    }

    @Test
    void halvesAreReportedAndTheLineRenders() {
        SoakVerdict v = SoakVerdict.judge("open fds", series(11, t -> t < 6 ? 100 : 120, 0, 9), 0, FIVE_PERCENT, 2);
        assertThat(v.firstHalfMean(), closeTo(100, 1e-9));
        assertThat(v.secondHalfMean(), closeTo(120, 1e-9));
        assertThat(v.render(), containsString("open fds"));
        assertThat(v.render(), containsString(v.trend().toString()));
    }
}
