package dev.voiceagent.e2e;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.TurnRecord;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * When Twilio closes the relay socket (the caller hung up) in the middle of an answer, the call ends at once: the
 * answer stops, what was sent of it is stored as interrupted, the call is stored as the caller hanging up, and it
 * leaves the registry.
 */
class RelayHangUpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aHangUpMidAnswerEndsTheCallAndStoresWhatWasSent() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            h.cloudflare.tokenInterval(Duration.ofMillis(200));
            h.cloudflare.queueReplies("Let me read you the whole list of our opening hours for every day of the week.");
            String callSid;
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230501")) {
                callSid = call.callSid();
                call.relay().prompt("What are your hours?");
                call.relay().awaitToken(WAIT);
                call.relay().awaitToken(WAIT);
                call.relay().hangUp();
                AgentHarness.await(() -> h.activeCalls() == 0, WAIT, "the call to leave the registry");
            }
            CallDetail stored = h.awaitStoredCall(callSid, d -> d.call().endedAt().isPresent(), "the call stored");
            assertThat(stored.call().endReason().orElseThrow(), is("caller hung up"));
            TurnRecord last = stored.turns().getLast();
            assertThat(last.role(), is(TurnRecord.Role.AGENT));
            assertThat(last.interrupted(), is(true));
            assertThat(last.text(), startsWith("Let me"));
            assertThat(last.text(), not(is("Let me read you the whole list of our opening hours for every day of the week.")));
        }
    }
}
