package dev.voiceagent.loadtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code jcmd PID GC.class_histogram} (live objects per class, taken after a full GC), and what grew between
 * two of them: the first step of finding what leaks when a soak run's heap keeps growing. Immutable.
 *
 * @param classes per class name: {instances, bytes}
 */
record ClassHistogram(Map<String, long[]> classes) {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    ClassHistogram {
        classes = Map.copyOf(classes);
    }

    /** Parses the rows ({@code num: #instances #bytes class}) of jcmd's output; other lines are skipped. */
    static ClassHistogram parse(String jcmdOutput) {
        Map<String, long[]> classes = new HashMap<>();
        for (String line : jcmdOutput.lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                              (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return new ClassHistogram(classes);
    }

    /** One class's change from an earlier histogram to a later one. */
    record Growth(String className, long instances, long bytes) {
    }

    /** The {@code top} classes whose live bytes grew most from {@code this} to {@code later}, largest first. */
    List<Growth> growthTo(ClassHistogram later, int top) {
        Set<String> names = new HashSet<>(classes.keySet());
        names.addAll(later.classes.keySet());
        List<Growth> all = new ArrayList<>();
        for (String name : names) {
            long[] a = classes.getOrDefault(name, new long[2]);
            long[] b = later.classes.getOrDefault(name, new long[2]);
            all.add(new Growth(name, b[0] - a[0], b[1] - a[1]));
        }
        return all.stream().filter(g -> g.bytes() > 0)
                .sorted(Comparator.comparingLong(Growth::bytes).reversed().thenComparing(Growth::className))
                .limit(top).toList();
    }

    /** Total live bytes. */
    long totalBytes() {
        return classes.values().stream().mapToLong(v -> v[1]).sum();
    }

    /** A table of {@link #growthTo} for the report. */
    static String render(List<Growth> growth) {
        StringBuilder out = new StringBuilder();
        for (Growth g : growth) {
            out.append(String.format(Locale.ROOT, "  %+,12d bytes %+,9d instances  %s%n", g.bytes(), g.instances(),
                                     g.className()));
        }
        return out.toString();
    }
}
