package dev.voiceagent.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.voiceagent.live.LiveCalls;
import dev.voiceagent.live.LiveEvent;
import dev.voiceagent.live.LiveUpdate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

/**
 * A ConversationRelay call publishes to the live feed like a media-stream call (ConsoleApiTest follows one of those
 * over HTTP): started, each turn as it is stored (an interrupted reply marked, as heard), ended.
 */
class LiveFeedTransportsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aRelayCallPublishesItsStartTurnsBargeInAndEnd() throws Exception {
        try (AgentHarness h = AgentHarness.start(RelayCalls.RELAY_PERSONAS)) {
            LiveCalls.Subscription feed = h.agent.live().subscribe().orElseThrow();
            assertThat(feed.next(Duration.ZERO).orElseThrow(), instanceOf(LiveUpdate.Snapshot.class));
            h.cloudflare.queueReplies("We are open from nine in the morning until five in the evening, Monday to Friday.");
            String callSid;
            try (RelayCalls.Call call = RelayCalls.call(h, "+15551230109")) {
                callSid = call.callSid();
                call.relay().prompt("When are you open?");
                call.relay().awaitReply(WAIT);
                call.relay().interrupt("We are open from nine in the morning", 1800);
                call.relay().hangUp();
            }
            List<LiveEvent> events = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (events.stream().noneMatch(e -> e instanceof LiveEvent.Ended) && System.nanoTime() < deadline) {
                Optional<LiveUpdate> u = feed.next(Duration.ofMillis(200));
                u.filter(LiveUpdate.Event.class::isInstance).map(x -> ((LiveUpdate.Event) x).event()).ifPresent(events::add);
            }
            assertThat(events.stream().allMatch(e -> e.callSid().equals(callSid)), is(true));
            assertThat(events.get(0), instanceOf(LiveEvent.Started.class));
            assertThat(((LiveEvent.Started) events.get(0)).personaId(), is("tester"));
            List<LiveEvent.Turn> turns = events.stream().filter(LiveEvent.Turn.class::isInstance)
                    .map(LiveEvent.Turn.class::cast).toList();
            assertThat(turns.get(0).role(), is("agent"));
            assertThat(turns.get(0).text(), is("Hello, how can I help?"));
            assertThat(turns.get(1).role(), is("caller"));
            assertThat(turns.get(1).text(), is("When are you open?"));
            assertThat(turns.get(2).text(), is("We are open from nine in the morning"));
            assertThat("the barge-in is marked", turns.get(2).interrupted(), is(true));
            assertThat(events.get(events.size() - 1), instanceOf(LiveEvent.Ended.class));
            assertThat(h.agent.live().snapshot().isEmpty(), is(true));
            feed.close();
        }
    }
}
