package dev.voiceagent.persona;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Caller ID is not identity: full memory only for a caller ID Twilio verified at attestation level A. */
class CallerMemoryTest {

    @Test
    void aVerifiedLevelACallerGetsWhatThePersonaAllows() {
        Optional<String> a = Optional.of("TN-Validation-Passed-A");
        assertThat(CallerMemory.granted(CallerMemory.FULL, a), is(CallerMemory.FULL));
        assertThat(CallerMemory.granted(CallerMemory.GREET, a), is(CallerMemory.GREET));
        assertThat(CallerMemory.granted(CallerMemory.OFF, a), is(CallerMemory.OFF));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TN-Validation-Passed-B", "TN-Validation-Passed-C",
                            "TN-Validation-Failed-A", "TN-Validation-Failed-B", "TN-Validation-Failed-C",
                            "TN-Validation-Failed", "No-TN-Validation", "NULL",
                            "TN-Validation-Passed-A-Diverted", "TN-Validation-Passed-B-Diverted",
                            "TN-Validation-Failed-A-Diverted", "TN-Validation-Failed-C-Diverted",
                            "TN-Validation-Passed-A-Passthrough", "TN-Validation-Failed-B-Passthrough",
                            "tn-validation-passed-a", "", "TN-Validation-Passed-AA"})
    void anyOtherAttestationGetsAtMostAGreeting(String verstat) {
        assertThat(CallerMemory.verified(Optional.of(verstat)), is(false));
        assertThat(CallerMemory.granted(CallerMemory.FULL, Optional.of(verstat)), is(CallerMemory.GREET));
        assertThat(CallerMemory.granted(CallerMemory.GREET, Optional.of(verstat)), is(CallerMemory.GREET));
        assertThat(CallerMemory.granted(CallerMemory.OFF, Optional.of(verstat)), is(CallerMemory.OFF));
    }

    @Test
    void noStirVerstatAtAllIsUnverified() {
        assertThat(CallerMemory.granted(CallerMemory.FULL, Optional.empty()), is(CallerMemory.GREET));
    }

    @Test
    void surroundingSpaceIsIgnored() {
        assertThat(CallerMemory.granted(CallerMemory.FULL, Optional.of(" TN-Validation-Passed-A ")), is(CallerMemory.FULL));
    }

    @ParameterizedTest
    @CsvSource({"FULL, Dana Reyes, Dana Reyes", "GREET, Dana Reyes, Dana", "GREET, '  Dana  ', Dana"})
    void theGreetingNameFollowsTheGrantedMemory(CallerMemory memory, String stored, String greeted) {
        assertThat(memory.greetingName(Optional.of(stored)), is(Optional.of(greeted)));
    }

    @Test
    void offGreetsNobodyByNameAndOnlyFullRemembersCalls() {
        assertThat(CallerMemory.OFF.greetingName(Optional.of("Dana")), is(Optional.empty()));
        assertThat(CallerMemory.FULL.remembersCalls(), is(true));
        assertThat(CallerMemory.GREET.remembersCalls(), is(false));
        assertThat(CallerMemory.OFF.remembersCalls(), is(false));
    }
}
