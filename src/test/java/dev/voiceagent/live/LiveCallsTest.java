package dev.voiceagent.live;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

/**
 * The live feed: a subscriber starts from a snapshot and then sees every event in order; a reader that falls behind
 * never holds up the publisher, loses its queue and is resynchronised with a snapshot; everything is bounded.
 */
class LiveCallsTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration NO_WAIT = Duration.ZERO;

    private static LiveEvent.Started started(String sid) {
        return new LiveEvent.Started(sid, "tester", "+15557654321", "+15550100001", T);
    }

    private static LiveEvent.Turn turn(String sid, int seq, boolean interrupted) {
        return new LiveEvent.Turn(sid, seq, seq % 2 == 1 ? "agent" : "caller", "words " + seq, interrupted, T, T,
                                  Map.of("eos", 600L));
    }

    @Test
    void aSubscriberStartsFromTheCallsInProgressThenSeesEachEvent() throws Exception {
        LiveCalls feed = new LiveCalls();
        feed.publish(started("CA1"));
        feed.publish(turn("CA1", 1, false));
        LiveCalls.Subscription sub = feed.subscribe().orElseThrow();
        LiveUpdate first = sub.next(NO_WAIT).orElseThrow();
        assertThat(first, instanceOf(LiveUpdate.Snapshot.class));
        LiveUpdate.Snapshot snapshot = (LiveUpdate.Snapshot) first;
        assertThat(snapshot.calls().size(), is(1));
        assertThat(snapshot.calls().get(0).turns().size(), is(1));

        feed.publish(turn("CA1", 2, false));
        feed.publish(turn("CA1", 3, true));
        feed.publish(new LiveEvent.Ended("CA1", T, 5000, "caller-hung-up"));
        assertThat(((LiveUpdate.Event) sub.next(NO_WAIT).orElseThrow()).event(), is(turn("CA1", 2, false)));
        assertThat(((LiveUpdate.Event) sub.next(NO_WAIT).orElseThrow()).event(), is(turn("CA1", 3, true)));
        assertThat(((LiveUpdate.Event) sub.next(NO_WAIT).orElseThrow()).event(),
                   instanceOf(LiveEvent.Ended.class));
        assertThat(sub.next(NO_WAIT), is(Optional.empty()));
        assertThat(feed.snapshot().isEmpty(), is(true));
    }

    @Test
    void aSlowReaderLosesItsQueueAndIsResynchronisedWithoutHoldingUpThePublisher() throws Exception {
        LiveCalls feed = new LiveCalls();
        LiveCalls.Subscription sub = feed.subscribe().orElseThrow();
        sub.next(NO_WAIT); // the (empty) snapshot
        feed.publish(started("CA1"));
        long start = System.nanoTime();
        for (int i = 1; i <= LiveCalls.QUEUE_CAPACITY + 50; i++) {
            feed.publish(turn("CA1", i, false));
        }
        assertThat("publishing never waits for the reader", System.nanoTime() - start < Duration.ofSeconds(1).toNanos(),
                   is(true));
        assertThat(sub.resyncs(), is(1L));
        LiveUpdate next = sub.next(NO_WAIT).orElseThrow();
        assertThat(next, instanceOf(LiveUpdate.Snapshot.class));
        LiveCall call = ((LiveUpdate.Snapshot) next).calls().get(0);
        assertThat(call.turns().size(), is(Math.min(LiveCalls.MAX_TURNS_PER_CALL, LiveCalls.QUEUE_CAPACITY + 50)));
        assertThat(call.turns().get(call.turns().size() - 1).seq(), is(LiveCalls.QUEUE_CAPACITY + 50));
        feed.publish(turn("CA1", 1000, false));
        assertThat(((LiveUpdate.Event) sub.next(NO_WAIT).orElseThrow()).event(), is(turn("CA1", 1000, false)));
    }

    @Test
    void subscribersAreBoundedAndClosingEndsThem() throws Exception {
        LiveCalls feed = new LiveCalls();
        LiveCalls.Subscription first = feed.subscribe().orElseThrow();
        for (int i = 1; i < LiveCalls.MAX_SUBSCRIBERS; i++) {
            assertThat(feed.subscribe().isPresent(), is(true));
        }
        assertThat(feed.subscribe().isPresent(), is(false));
        first.close();
        assertThat(feed.subscribe().isPresent(), is(true));
        assertThat(feed.subscribe().isPresent(), is(false)); // full again
        feed.close();
        assertThat(feed.subscribe().isPresent(), is(false));
    }

    @Test
    void aClosedFeedTellsItsReaders() throws Exception {
        LiveCalls feed = new LiveCalls();
        LiveCalls.Subscription sub = feed.subscribe().orElseThrow();
        sub.next(NO_WAIT);
        feed.close();
        assertThat(sub.next(Duration.ofSeconds(1)).orElseThrow(), instanceOf(LiveUpdate.Closed.class));
    }

    @Test
    void callsInProgressAreBounded() {
        LiveCalls feed = new LiveCalls();
        for (int i = 0; i < LiveCalls.MAX_CALLS + 10; i++) {
            feed.publish(started("CA" + i));
        }
        assertThat(feed.snapshot().size(), is(LiveCalls.MAX_CALLS));
        assertThat(feed.snapshot().get(0).started().callSid(), is("CA10"));
    }
}
