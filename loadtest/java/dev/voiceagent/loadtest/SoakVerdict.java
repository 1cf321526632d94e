package dev.voiceagent.loadtest;

import java.util.List;
import java.util.Locale;

/**
 * Whether one quantity sampled over a soak run (resident memory, heap after GC, threads, descriptors, database
 * connections) has stopped growing. Pure arithmetic over the samples; immutable.
 *
 * <p>The rule (also in {@code loadtest/README.md}): drop the samples taken before {@code warmupMinutes}; fit a
 * straight line by least squares through the rest; its slope per hour is compared with the <em>threshold</em>,
 * the larger of {@code relativePerHour} times the level (mean of the kept samples; 5 %/h by default) and an
 * absolute floor per quantity (so that a count of 2 connections moving by 0.2 is not called a leak).
 * <ul>
 *   <li>{@link Trend#TOO_SHORT}: fewer than {@value #MIN_SAMPLES} samples after warm-up;</li>
 *   <li>{@link Trend#FLAT}: |slope| below the threshold;</li>
 *   <li>{@link Trend#FALLING}: slope below minus the threshold;</li>
 *   <li>{@link Trend#LEVELLED}: slope above the threshold over the whole window, but the second half of the
 *       samples, fitted alone, is below it: it grew early, then stopped;</li>
 *   <li>{@link Trend#NOISY}: slope above the threshold, but within two standard errors of zero: the samples
 *       scatter too much for this run's length to tell;</li>
 *   <li>{@link Trend#GROWING}: otherwise: a slope above the threshold, significantly above zero, and still
 *       above it in the second half.</li>
 * </ul>
 *
 * @param quantity        what was sampled, with its unit
 * @param samples         samples after warm-up
 * @param level           their mean
 * @param slopePerHour    least-squares slope, units per hour
 * @param stdErrPerHour   its standard error
 * @param thresholdPerHour the slope that counts as growth
 * @param firstHalfMean   mean of the first half of the kept samples
 * @param secondHalfMean  mean of the second half
 * @param secondHalfSlopePerHour slope fitted to the second half alone
 * @param trend           the verdict
 */
public record SoakVerdict(String quantity, int samples, double level, double slopePerHour, double stdErrPerHour,
                          double thresholdPerHour, double firstHalfMean, double secondHalfMean,
                          double secondHalfSlopePerHour, Trend trend) {

    /** Fewer samples than this after warm-up give no verdict. */
    public static final int MIN_SAMPLES = 6;

    /** What the samples say. */
    public enum Trend {
        TOO_SHORT("too few samples"),
        FLAT("flat"),
        FALLING("falling"),
        LEVELLED("grew, then levelled off"),
        NOISY("unclear: too noisy for this length"),
        GROWING("GROWING");

        private final String text;

        Trend(String text) {
            this.text = text;
        }

        /** Whether this trend means the quantity has stopped growing. */
        public boolean stoppedGrowing() {
            return this == FLAT || this == FALLING || this == LEVELLED;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** One sample: minutes since the start of the run, and the value. */
    public record Point(double minutes, double value) {
    }

    /** A straight line fitted by least squares: slope per minute and its standard error (NaN below 3 points). */
    record Fit(double slopePerMinute, double stdErr) {

        static Fit of(List<Point> points) {
            int n = points.size();
            if (n < 2) {
                return new Fit(0, Double.NaN);
            }
            double mx = points.stream().mapToDouble(Point::minutes).average().orElse(0);
            double my = points.stream().mapToDouble(Point::value).average().orElse(0);
            double sxx = 0;
            double sxy = 0;
            for (Point p : points) {
                sxx += (p.minutes() - mx) * (p.minutes() - mx);
                sxy += (p.minutes() - mx) * (p.value() - my);
            }
            if (sxx == 0) {
                return new Fit(0, Double.NaN);
            }
            double slope = sxy / sxx;
            double intercept = my - slope * mx;
            double ssr = 0;
            for (Point p : points) {
                double r = p.value() - (intercept + slope * p.minutes());
                ssr += r * r;
            }
            double stdErr = n > 2 ? Math.sqrt(ssr / (n - 2) / sxx) : Double.NaN;
            return new Fit(slope, stdErr);
        }
    }

    /**
     * Judges {@code points} (in time order).
     *
     * @param warmupMinutes   samples before this are left out
     * @param relativePerHour growth per hour, as a fraction of the level, that counts (e.g. 0.05)
     * @param floorPerHour    the least absolute growth per hour that counts, in the quantity's unit
     */
    public static SoakVerdict judge(String quantity, List<Point> points, double warmupMinutes, double relativePerHour,
                                    double floorPerHour) {
        List<Point> kept = points.stream().filter(p -> p.minutes() >= warmupMinutes && Double.isFinite(p.value())).toList();
        int n = kept.size();
        double level = kept.stream().mapToDouble(Point::value).average().orElse(Double.NaN);
        double threshold = Math.max(relativePerHour * Math.abs(Double.isNaN(level) ? 0 : level), floorPerHour);
        List<Point> first = kept.subList(0, n / 2);
        List<Point> second = kept.subList(n / 2, n);
        double firstMean = first.stream().mapToDouble(Point::value).average().orElse(Double.NaN);
        double secondMean = second.stream().mapToDouble(Point::value).average().orElse(Double.NaN);
        Fit all = Fit.of(kept);
        Fit late = Fit.of(second);
        double slope = all.slopePerMinute() * 60;
        double stdErr = all.stdErr() * 60;
        double lateSlope = late.slopePerMinute() * 60;
        Trend trend;
        if (n < MIN_SAMPLES) {
            trend = Trend.TOO_SHORT;
        } else if (slope <= -threshold) {
            trend = Trend.FALLING;
        } else if (slope < threshold) {
            trend = Trend.FLAT;
        } else if (lateSlope < threshold) {
            trend = Trend.LEVELLED;
        } else if (slope - 2 * stdErr <= 0) {
            trend = Trend.NOISY;
        } else {
            trend = Trend.GROWING;
        }
        return new SoakVerdict(quantity, n, level, slope, stdErr, threshold, firstMean, secondMean, lateSlope, trend);
    }

    /** One line of the end-of-run table. */
    public String render() {
        return String.format(Locale.ROOT, "%-26s %9s %11s ± %-9s %9s %9s → %-9s %11s  %s%s", quantity, num(level),
                             signed(slopePerHour), num(Double.isNaN(stdErrPerHour) ? Double.NaN : 2 * stdErrPerHour),
                             num(thresholdPerHour), num(firstHalfMean), num(secondHalfMean),
                             signed(secondHalfSlopePerHour), trend,
                             trend == Trend.TOO_SHORT ? " (" + samples + ")" : "");
    }

    /** The header above {@link #render()} lines. */
    public static String header() {
        return String.format(Locale.ROOT, "%-26s %9s %11s   %-9s %9s %9s   %-9s %11s  %s", "quantity", "level",
                             "slope/h", "(2 s.e.)", "threshold", "1st half", "2nd half", "2nd half/h", "verdict");
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String signed(double v) {
        return Double.isNaN(v) ? "-" : (v >= 0 ? "+" : "") + num(v);
    }
}
