package dev.voiceagent.loadtest;

import java.util.Arrays;
import java.util.Collection;

/**
 * Nearest-rank percentiles of a set of samples: the p-th percentile is the smallest sample that at least p % of
 * the samples are less than or equal to. No interpolation, so every reported figure is a value that was actually
 * measured, and p100 is the maximum.
 */
public final class Percentiles {

    private final long[] sorted;

    private Percentiles(long[] sorted) {
        this.sorted = sorted;
    }

    /** The percentiles of {@code samples} (copied). */
    public static Percentiles of(Collection<Long> samples) {
        long[] values = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(values);
        return new Percentiles(values);
    }

    /** How many samples there are. */
    public int count() {
        return sorted.length;
    }

    /** The {@code p}-th percentile ({@code 0 < p <= 100}), or -1 when there are no samples. */
    public long at(double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, rank) - 1];
    }

    /** The largest sample, or -1 when there are none. */
    public long max() {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }

    /** {@code p50/p95/p99/max} in milliseconds, or {@code "-"} when there are no samples. */
    public String summaryMillis() {
        if (sorted.length == 0) {
            return "-";
        }
        return String.format("p50 %d ms, p95 %d ms, p99 %d ms, max %d ms (n=%d)", at(50), at(95), at(99), max(), count());
    }
}
