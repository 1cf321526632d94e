package dev.voiceagent.loadtest;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** Parsing jcmd's class histogram, and which classes grew between two of them. */
class ClassHistogramTest {

    private static final String BEFORE = """
            1234:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         20000        2000000  [B (java.base@25)
               2:         15000         360000  java.lang.String (java.base@25)
               3:           100           4800  dev.voiceagent.call.CallSession
            Total         35100        2364800
            """;
    private static final String AFTER = """
            1234:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         21000        2500000  [B (java.base@25)
               2:         14000         336000  java.lang.String (java.base@25)
               3:           300          14400  dev.voiceagent.call.CallSession
               4:             5            200  dev.voiceagent.NewThing
            Total         35305        2850600
            """;

    @Test
    void parsesRowsAndTotals() {
        ClassHistogram h = ClassHistogram.parse(BEFORE);
        assertThat(h.classes().size(), is(3));
        assertThat(h.totalBytes(), is(2_364_800L));
    }

    @Test
    void listsWhatGrewMostFirstAndLeavesOutWhatShrank() {
        List<ClassHistogram.Growth> growth = ClassHistogram.parse(BEFORE).growthTo(ClassHistogram.parse(AFTER), 10);
        assertThat(growth.stream().map(ClassHistogram.Growth::className).toList(),
                   is(List.of("[B", "dev.voiceagent.call.CallSession", "dev.voiceagent.NewThing")));
        assertThat(growth.get(1).instances(), is(200L));
        assertThat(growth.get(1).bytes(), is(9_600L));
        assertThat(ClassHistogram.render(growth), containsString("+200 instances  dev.voiceagent.call.CallSession"));
    }

    @Test
    void keepsOnlyTheTopClasses() {
        assertThat(ClassHistogram.parse(BEFORE).growthTo(ClassHistogram.parse(AFTER), 1).size(), is(1));
    }
}
