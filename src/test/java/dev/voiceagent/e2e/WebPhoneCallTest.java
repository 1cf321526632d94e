package dev.voiceagent.e2e;

import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.Channel;
import dev.voiceagent.store.TurnRecord;

import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * A web phone call, placed the way the page places it: the Media Streams protocol over {@code /console/phone/socket},
 * admitted by the console session (the cookie the console's sign-in sets) instead of a
 * stream token, run by the same call loop as a phone call, and stored with the {@code web} channel and no number.
 */
class WebPhoneCallTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIRST = "First of all, thank you for trying the web phone today.";
    private static final String SECOND = "We have several openings next week in the morning and in the afternoon.";

    static URI socketUri(AgentHarness h) {
        return URI.create("ws://127.0.0.1:" + h.server.port() + "/console/phone/socket");
    }

    static String webCallSid() {
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        return "WC" + HexFormat.of().formatHex(random);
    }

    /** The transcript events the server sent on the socket (Twilio's own parser counts them as unknown). */
    static List<JsonNode> transcript(FakeTwilioCaller caller) {
        return caller.received().stream().filter(t -> t.contains("\"transcript\"")).map(t -> {
            try {
                return JSON.readTree(t).get("transcript");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void aBrowserCallIsGreetedAnsweredInterruptedAndStoredAsAWebCallWithoutNumber() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            String cookie = new ConsoleClient(h).session();
            h.awaitWarm(4);
            h.cloudflare.queueTranscripts("I would like to book an appointment.", "Wait, actually I have a question.");
            h.cloudflare.queueReplies(FIRST + " " + SECOND + " Third, there is more to say about the openings.",
                                      "Of course, go ahead.");
            h.cloudflare.tokenInterval(Duration.ofMillis(100));
            String callSid = webCallSid();
            try (FakeTwilioCaller caller = FakeTwilioCaller.connect(socketUri(h), Map.of("Cookie", cookie))) {
                // The page names the persona; numbers it might send are ignored: the channel is the path.
                caller.start(callSid, Map.of("persona", "tester", "from", "+15551112222"));

                // The greeting plays, its marks are echoed as it plays, and its text reaches the page.
                assertThat(caller.awaitReceived(t -> t.contains("\"transcript\"") && t.contains("Hello, how can I help?"),
                                                WAIT), is(true));
                assertThat(caller.echoedMarks(), hasItem("r1.end"));
                assertThat(caller.playedAudioBytes(), greaterThan(1_000L));

                // A turn: transcribed by the (fake) recogniser and answered.
                caller.speak(clip("book_appointment"));
                assertThat(caller.awaitReceived(t -> t.contains("I would like to book an appointment."), WAIT), is(true));
                long replyStart = caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), WAIT);
                assertThat(replyStart, greaterThan(0L));

                // Barge-in: the caller talks over the answer, the server clears the page's buffer at once.
                Thread.sleep(2_000);
                int clearsBefore = caller.clearCount();
                caller.speakAsync(clip("interruption"));
                AgentHarness.await(() -> caller.clearCount() > clearsBefore, WAIT, "clear after barge-in");
                assertThat(caller.awaitReceived(t -> t.contains("Of course, go ahead."), WAIT), is(true));

                List<JsonNode> shown = transcript(caller);
                assertThat(shown.stream().map(n -> n.get("role").asText()).toList(),
                           contains("agent", "caller", "agent", "caller", "agent"));
                assertThat(shown.get(2).get("text").asText(), startsWith(FIRST));
                assertThat("the interrupted answer is shown as heard", shown.get(2).get("interrupted").asBoolean(),
                           is(true));
                assertThat("only transcript events are beyond Twilio's protocol", caller.protocolErrors(),
                           everyItem(containsString("unknown event 'transcript'")));

                caller.stop();
                assertThat(caller.awaitClosed(WAIT), is(true));
            }

            CallDetail stored = h.awaitStoredCall(callSid, d -> d.call().endedAt().isPresent()
                                                                && AfterCallTest.delivered(d, "webhook"),
                                                  "the web call stored and delivered to the webhook");
            assertThat(stored.call().channel(), is(Channel.WEB));
            assertThat(stored.call().from(), is(""));
            assertThat(stored.call().to(), is(""));
            assertThat(stored.call().personaId(), is("tester"));
            assertThat(stored.turns().getFirst().text(), is("Hello, how can I help?"));
            assertThat(stored.turns().get(2).role(), is(TurnRecord.Role.AGENT));
            assertThat(stored.turns().get(2).interrupted(), is(true));

            // No number, so no GoHighLevel contact (and no failed row for it); the webhook still gets the call.
            assertThat(AfterCallTest.status(stored, "gohighlevel"), is((Object) null));
            assertThat(h.ghl.upserts(), is(empty()));
            JsonNode record = h.webhook.accepted().getFirst().body();
            assertThat(record.get("channel").asText(), is("web"));
            assertThat(record.get("callSid").asText(), is(callSid));

            // The call API shows the channel.
            JsonNode api = JSON.readTree(h.api("/calls/" + callSid).body());
            assertThat(api.get("channel").asText(), is("web"));
            assertThat("a web call is never hung up through Twilio", h.twilio.updates(), is(empty()));
        }
    }

    @Test
    void whenTheAgentEndsAWebCallTheServerClosesTheSocketInsteadOfCallingTwilio() throws Exception {
        try (AgentHarness h = AgentHarness.start()) {
            h.cloudflare.queueTranscripts("That is all, thanks.");
            h.cloudflare.queueReplies("You are welcome, goodbye! [END_CALL]");
            String callSid = webCallSid();
            String cookie = new ConsoleClient(h).session();
            try (FakeTwilioCaller caller = FakeTwilioCaller.connect(socketUri(h), Map.of("Cookie", cookie))) {
                caller.start(callSid, Map.of("persona", "tester"));
                assertThat(caller.awaitQuiet(Duration.ofMillis(700), WAIT), is(true));
                caller.speak(clip("yes_thanks"));
                assertThat("the goodbye plays, then the server closes the socket", caller.awaitClosed(WAIT), is(true));
                assertThat(caller.closeCode(), is(1000));
                assertThat(caller.echoedMarks().stream().anyMatch(m -> m.endsWith(".end")), is(true));
            }
            CallDetail stored = h.awaitStoredCall(callSid, d -> d.call().endedAt().isPresent(), "the web call ended");
            assertThat(stored.call().endReason().orElse(""), is("agent hung up"));
            assertThat(stored.turns().getLast().text(), is("You are welcome, goodbye!"));
            assertThat("no Twilio call to hang up", h.twilio.updates(), is(empty()));
        }
    }
}
