package dev.voiceagent.e2e;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.voiceagent.store.CallDetail;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * At the persona's time limit a ConversationRelay call says the goodbye, sends {@code end} with a
 * {@code time-limit} handoff, and closes the socket itself if Twilio does not; the call is stored as a time-limit call.
 */
class RelayTimeLimitTest {

    @Test
    void theTimeLimitSaysGoodbyeSendsEndAndClosesTheSocketWhenTwilioDoesNot() throws Exception {
        String personas = RelayCalls.RELAY_PERSONAS.replace("maxCallMinutes: 5", "maxCallMinutes: 0.1");
        try (AgentHarness h = AgentHarness.start(personas)) {
            String callSid;
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230401")) {
                callSid = call.callSid();
                Duration wait = Duration.ofSeconds(12);
                assertThat(call.relay().awaitReply(wait), is("Goodbye now."));
                JsonNode end = call.relay().awaitMessage(wait);
                assertThat(end.get("type").asText(), is("end"));
                assertThat(new ObjectMapper().readTree(end.get("handoffData").asText()).get("reasonCode").asText(),
                           is("time-limit"));
                assertThat("the server closes the socket Twilio left open", call.relay().awaitClose(wait), is(1000));
            }
            CallDetail stored = h.awaitStoredCall(callSid, d -> d.call().endedAt().isPresent(), "the call stored");
            assertThat(stored.call().endReason().orElseThrow(), is("time limit"));
            assertThat(stored.turns().getLast().text(), is("Goodbye now."));
            assertThat("the greeting was spoken whole", stored.turns().getFirst().interrupted(), is(false));
        }
    }
}
