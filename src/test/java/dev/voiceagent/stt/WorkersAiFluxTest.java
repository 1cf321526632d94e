package dev.voiceagent.stt;

import java.time.Duration;
import java.util.List;

import dev.voiceagent.audio.MuLaw;
import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeStreamingStt;
import dev.voiceagent.fakes.FakeTwilioCaller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** Flux over a real socket against the fake: decoded PCM on the wire, turn events mapped, no Finalize. */
class WorkersAiFluxTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private FakeCloudflare cloudflare;
    private FakeStreamingStt fake;

    @BeforeEach
    void startFake() {
        cloudflare = new FakeCloudflare("acc123", "cf-token-secret");
        fake = cloudflare.streaming();
    }

    @AfterEach
    void stopFake() {
        cloudflare.close();
    }

    private WorkersAiFlux flux() {
        return new WorkersAiFlux(cloudflare.account(), 0.7, 0.5, Duration.ofMillis(5000), Duration.ofSeconds(2));
    }

    @Test
    void audioGoesAsLittleEndianPcm16DecodedFromMuLaw() throws Exception {
        byte[] clip = FakeTwilioCaller.clip("my_name");

        try (SpeechStream stream = flux().open("CA1", new SpeechEvents())) {
            SpeechEvents.feed(stream, clip, 2);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (fake.lastSession().audioBytes() < clip.length * 2L && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        byte[] pcm = fake.lastSession().audio();
        assertThat(pcm.length, is(clip.length * 2));
        for (int i = 0; i < clip.length; i++) {
            short sample = (short) ((pcm[2 * i] & 0xFF) | (pcm[2 * i + 1] << 8));
            if (sample != MuLaw.decode(clip[i])) {
                throw new AssertionError("sample " + i + " is " + sample + ", expected " + MuLaw.decode(clip[i]));
            }
        }
        assertThat(fake.lastSession().query().get("encoding"), is("linear16"));
    }

    @Test
    void aTurnIsStartedUpdatedAndEndedWithTheWholeTranscript() throws Exception {
        fake.queueUtterances("My name is Jane Doe.");
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = flux().open("CA2", events)) {
            SpeechEvents.feed(stream, FakeTwilioCaller.clip("my_name"), 10);
            SpeechEvents.feed(stream, SpeechEvents.silence(600), 10);

            SpeechEvent.EndOfTurn end = (SpeechEvent.EndOfTurn) events.await(
                    e -> e instanceof SpeechEvent.EndOfTurn, WAIT).event();

            assertThat(end.transcript(), is("My name is Jane Doe."));
            List<SpeechEvent> all = events.events();
            assertThat(all.getFirst(), instanceOf(SpeechEvent.SpeechStarted.class));
            List<SpeechEvent.Words> updates = events.all(SpeechEvent.Words.class);
            assertThat(updates, is(not(empty())));
            for (SpeechEvent.Words update : updates) {
                assertThat(update.cumulative(), is(true));
                assertThat(update.isFinal(), is(false));
                assertThat("cumulative: the turn so far", "My name is Jane Doe.".startsWith(update.text()), is(true));
            }
            assertThat(events.all(SpeechEvent.EagerEndOfTurn.class),
                    contains(new SpeechEvent.EagerEndOfTurn("My name is Jane Doe.")));
        }
    }

    @Test
    void aPauseInsideTheSentenceIsAnEagerEndThatTheCallerResumes() throws Exception {
        fake.queueUtterances("I was hoping | to move my appointment | to Friday afternoon.");
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = flux().open("CA3", events)) {
            SpeechEvents.feed(stream, FakeTwilioCaller.clip("two_pauses"), 5);
            SpeechEvents.feed(stream, SpeechEvents.silence(600), 5);

            SpeechEvent.EndOfTurn end = (SpeechEvent.EndOfTurn) events.await(
                    e -> e instanceof SpeechEvent.EndOfTurn, WAIT).event();

            assertThat(end.transcript(), is("I was hoping to move my appointment to Friday afternoon."));
            assertThat(events.all(SpeechEvent.EagerEndOfTurn.class).stream().map(SpeechEvent.EagerEndOfTurn::transcript)
                    .toList(), contains("I was hoping", "I was hoping to move my appointment",
                    "I was hoping to move my appointment to Friday afternoon."));
            assertThat(events.all(SpeechEvent.TurnResumed.class), hasSize(2));
            assertThat(events.all(SpeechEvent.EndOfTurn.class), hasSize(1));
        }
    }

    @Test
    void finalizeIsANoOpAndCloseSendsCloseStreamWithoutADrop() throws Exception {
        SpeechEvents events = new SpeechEvents();
        SpeechStream stream = flux().open("CA4", events);

        stream.finalizeNow();
        stream.close();

        assertThat(stream.finalizes(), is(0));
        FakeStreamingStt.Session session = fake.lastSession();
        assertThat(session.awaitEnd(WAIT), is(true));
        assertThat(session.controlTypes(), contains("CloseStream"));
        Thread.sleep(200);
        assertThat(events.all(SpeechEvent.Dropped.class), is(empty()));
    }

    @Test
    void anErrorMessageDropsTheSocketOnce() throws Exception {
        fake.idleTimeout(Duration.ofMillis(300));
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = flux().open("CA5", events)) {
            SpeechEvent.Dropped dropped = (SpeechEvent.Dropped) events.await(
                    e -> e instanceof SpeechEvent.Dropped, WAIT).event();
            Thread.sleep(200);

            assertThat(dropped.why(), is("flux error NET-0001: Deepgram did not receive audio data or a text message "
                    + "within the timeout window. See https://dpgr.am/net0001"));
            assertThat(events.all(SpeechEvent.Dropped.class), hasSize(1));
        }
    }
}
