package dev.voiceagent.twilio;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** X-Twilio-Signature follows Twilio's documented algorithm. */
class TwilioSignatureTest {

    /** The worked example from twilio.com/docs/usage/security. */
    private static final String URL = "https://example.com/myapp.php?foo=1&bar=2";
    private static final Map<String, List<String>> PARAMS = Map.of(
            "CallSid", List.of("CA1234567890ABCDE"),
            "Caller", List.of("+14158675310"),
            "Digits", List.of("1234"),
            "From", List.of("+14158675310"),
            "To", List.of("+18005551212"));
    private static final String DOCUMENTED = "L/OH5YylLD5NRKLltdqwSvS0BnU=";

    private final TwilioSignature signature = new TwilioSignature("12345");

    @Test
    void reproducesTwiliosWorkedExample() {
        assertThat(signature.sign(URL, PARAMS), is(DOCUMENTED));
    }

    @Test
    void acceptsTheDocumentedSignatureAmongCandidates() {
        assertThat(signature.matchesAny(DOCUMENTED, List.of("https://other/", URL), PARAMS), is(true));
    }

    @Test
    void rejectsAWrongTokenUrlParameterOrMissingSignature() {
        assertThat(new TwilioSignature("54321").matchesAny(DOCUMENTED, List.of(URL), PARAMS), is(false));
        assertThat(signature.matchesAny(DOCUMENTED, List.of(URL + "/"), PARAMS), is(false));
        assertThat(signature.matchesAny(DOCUMENTED, List.of(URL), Map.of("CallSid", List.of("CA1234567890ABCDE"))), is(false));
        assertThat(signature.matchesAny("", List.of(URL), PARAMS), is(false));
        assertThat(signature.matchesAny(null, List.of(URL), PARAMS), is(false));
    }
}
