package dev.voiceagent.observe;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Digits a caller may have typed or said never reach a log as they were. */
class RedactTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "(The caller pressed: 1 2 3 4 #)|(The caller pressed: * * * * #)",
            "my card is 4111 1111 1111 1111 thanks|my card is **** **** **** **11 thanks",
            "call me on +15551234567.|call me on +*********67.",
            "555-123-4567|***-***-**67",
            "PIN 123|PIN ***",
            "pressed 1 2|pressed 1 2",
            "room 42|room 42",
    })
    void digitRunsAreMasked(String in, String out) {
        assertThat(Redact.digits(in), is(out));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "call CA0123456789abcdef0123456789abcdef ended|call CA0123456789abcdef0123456789abcdef ended",
            "took 300ms|took 300ms",
            "at dev.voiceagent.Main.setup(Main.java:123)|at dev.voiceagent.Main.setup(Main.java:123)",
            "Connection to localhost:5432 refused|Connection to localhost:5432 refused",
            "Helidon 4.1.2|Helidon 4.1.2",
    })
    void identifiersAreLeftAlone(String in, String out) {
        assertThat(Redact.digits(in), is(out));
    }

    @Test
    void vendorMessagesLoseOnlyTheirPhoneNumbers() {
        assertThat(Redact.phoneNumbers("twilio BAD_RESPONSE (HTTP 400): code 21211: Invalid 'To' Phone Number: +15557654321"),
                is("twilio BAD_RESPONSE (HTTP 400): code 21211: Invalid 'To' Phone Number: +*********21"));
        assertThat(Redact.phoneNumbers("call 555-123-4567 at 10"), is("call ***-***-**67 at 10"));
        assertThat(Redact.phoneNumbers(null), is((String) null));
    }

    @Test
    void keypadValuesLoseEveryDigit() {
        assertThat(Redact.allDigits("7"), is("*"));
        assertThat(Redact.allDigits("1 2 #"), is("* * #"));
        assertThat(Redact.allDigits(null), is((String) null));
    }
}
