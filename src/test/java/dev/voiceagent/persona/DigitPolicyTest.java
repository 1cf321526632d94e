package dev.voiceagent.persona;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Keypad digits are masked in what is stored and pushed unless the persona says to store them. */
class DigitPolicyTest {

    @Test
    void maskedReplacesEveryDigit() {
        assertThat(DigitPolicy.MASKED.forRecord("(The caller pressed: 4 1 1 1 #)"), is("(The caller pressed: * * * * #)"));
    }

    @Test
    void storedKeepsThem() {
        assertThat(DigitPolicy.STORED.forRecord("(The caller pressed: 4 1 #)"), is("(The caller pressed: 4 1 #)"));
    }
}
