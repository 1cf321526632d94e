package dev.voiceagent.loadtest;

import java.util.Locale;

/**
 * Whether one quantity that grew under load (a pool: virtual threads of the web client's connection monitors,
 * file descriptors, database connections) gives its growth back once the calls have stopped. Compares three
 * readings of a soak run: idle before the first call, just after the last call ended, and at the end of the idle
 * tail ({@code IDLE_TAIL_MINUTES} later). Pure arithmetic; immutable. Informative only: it does not decide the
 * soak's exit status (a pool may legitimately hold its working size for its own idle timeout).
 *
 * <ul>
 *   <li>{@link Outcome#BACK}: at the end of the tail within {@code slack} of its idle level before the calls;</li>
 *   <li>{@link Outcome#SHRINKING}: not back yet, but more than {@code slack} below its level just after the calls;</li>
 *   <li>{@link Outcome#HELD}: within {@code slack} of its level just after the calls;</li>
 *   <li>{@link Outcome#GREW}: more than {@code slack} above it: growing with no calls at all.</li>
 * </ul>
 *
 * @param quantity what was sampled, with its unit
 * @param before   idle, before the first call
 * @param after    just after the last call ended
 * @param last     at the end of the idle tail
 * @param slack    how far a reading may sit from another and still count as level with it (absolute, same unit)
 * @param outcome  the verdict
 */
public record IdleTail(String quantity, double before, double after, double last, double slack, Outcome outcome) {

    /** What the tail says. */
    public enum Outcome {
        BACK("back to its idle level"),
        SHRINKING("shrinking back"),
        HELD("held at its working size"),
        GREW("GREW while idle");

        private final String text;

        Outcome(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Judges the three readings; {@code slack} must not be negative. */
    public static IdleTail judge(String quantity, double before, double after, double last, double slack) {
        if (slack < 0 || Double.isNaN(slack)) {
            throw new IllegalArgumentException("slack must be >= 0, got " + slack);
        }
        Outcome outcome;
        if (last <= before + slack) {
            outcome = Outcome.BACK;
        } else if (last < after - slack) {
            outcome = Outcome.SHRINKING;
        } else if (last <= after + slack) {
            outcome = Outcome.HELD;
        } else {
            outcome = Outcome.GREW;
        }
        return new IdleTail(quantity, before, after, last, slack, outcome);
    }

    /**
     * The share (0..1, or beyond when it overshoots) of the growth over the run ({@code after - before}) given
     * back by the end of the tail; NaN when nothing grew.
     */
    public double givenBack() {
        return after > before ? (after - last) / (after - before) : Double.NaN;
    }

    /** One line of the idle-tail table. */
    public String render() {
        return String.format(Locale.ROOT, "%-26s %11s %11s %11s %10s  %s", quantity, num(before), num(after), num(last),
                             Double.isNaN(givenBack()) ? "-" : String.format(Locale.ROOT, "%.0f %%", 100 * givenBack()),
                             outcome);
    }

    /** The header above {@link #render()} lines. */
    public static String header() {
        return String.format(Locale.ROOT, "%-26s %11s %11s %11s %10s  %s", "quantity", "idle before", "after calls",
                             "end of tail", "given back", "verdict");
    }

    private static String num(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
