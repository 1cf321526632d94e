package dev.voiceagent.call;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Finished sentences shorten the wait for the end of the turn; trailing words lengthen it. */
class TurnCompletionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Can I book an appointment for Tuesday?|COMPLETE",
            "I need a plumber.|COMPLETE",
            "Yes!|COMPLETE",
            "I need a plumber and|TRAILING",
            "So I was thinking, um|TRAILING",
            "I need a plumber,|TRAILING",
            "Well...|TRAILING",
            "My address is the.|TRAILING",
            "I need a plumber|UNKNOWN",
            "''|UNKNOWN"
    })
    void judgesTheEndOfTheWordsSoFar(String transcript, TurnCompletion expected) {
        assertThat(TurnCompletion.of(transcript), is(expected));
    }
}
