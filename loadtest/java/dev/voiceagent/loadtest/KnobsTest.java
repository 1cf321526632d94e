package dev.voiceagent.loadtest;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KnobsTest {

    private final Knobs knobs = new Knobs(Map.of("CALLS", " 500 ", "BLANK", "", "BAD", "lots", "HUGE", "99999"));

    @Test
    void readsValuesAndDefaults() {
        assertThat(knobs.integer("CALLS", 100, 1, 5000), is(500));
        assertThat(knobs.integer("BLANK", 100, 1, 5000), is(100));
        assertThat(knobs.integer("UNSET", 7, 1, 5000), is(7));
        assertThat(knobs.string("UNSET", "x"), is("x"));
    }

    @Test
    void refusesNonNumbersAndOutOfRange() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> knobs.integer("BAD", 1, 1, 10)).getMessage(),
                   containsString("BAD must be a whole number"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> knobs.integer("HUGE", 1, 1, 5000)).getMessage(),
                   containsString("between 1 and 5000"));
    }
}
