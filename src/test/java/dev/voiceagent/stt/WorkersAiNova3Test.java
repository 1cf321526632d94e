package dev.voiceagent.stt;

import java.time.Duration;
import java.util.List;

import dev.voiceagent.fakes.FakeCloudflare;
import dev.voiceagent.fakes.FakeStreamingStt;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.StreamFault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/** nova-3 over a real socket against the fake: words while the caller talks, Finalize, keep-alive, drops, close. */
class WorkersAiNova3Test {

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

    private WorkersAiNova3 nova(Duration endpointing, Duration keepAlive) {
        return new WorkersAiNova3(cloudflare.account(), "en", endpointing, Duration.ofMillis(1000),
                Duration.ofSeconds(2), keepAlive);
    }

    @Test
    void wordsArriveWhileTheCallerIsStillTalkingAndTheTurnEndsSpeechFinal() throws Exception {
        String said = "Hi, I would like to book an appointment for next Tuesday.";
        fake.queueUtterances(said);
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA1", events)) {
            long lastSpeech = SpeechEvents.feed(stream, FakeTwilioCaller.clip("book_appointment"), 10);
            SpeechEvents.feed(stream, SpeechEvents.silence(1400), 10);

            SpeechEvent.Words last = (SpeechEvent.Words) events.await(
                    e -> e instanceof SpeechEvent.Words w && w.speechFinal(), WAIT).event();
            events.await(e -> e instanceof SpeechEvent.UtteranceEnd, WAIT);

            assertThat(events.events().getFirst(), instanceOf(SpeechEvent.SpeechStarted.class));
            SpeechEvents.Timed firstInterim = events.await(e -> e instanceof SpeechEvent.Words w && !w.isFinal(), WAIT);
            assertThat("an interim result came before the caller finished", firstInterim.atNanos(), lessThan(lastSpeech));
            String finals = String.join(" ", events.all(SpeechEvent.Words.class).stream()
                    .filter(SpeechEvent.Words::isFinal).map(SpeechEvent.Words::text).filter(t -> !t.isEmpty()).toList());
            assertThat(finals, is(said));
            assertThat(last.isFinal(), is(true));
            assertThat(last.cumulative(), is(false));
            assertThat(stream.audioSeconds(), closeTo(3.514 + 1.4, 0.05));
        }
        FakeStreamingStt.Session session = fake.lastSession();
        assertThat(session.model(), is("@cf/deepgram/nova-3"));
        assertThat(session.query().get("encoding"), is("mulaw"));
        assertThat(session.query().get("endpointing"), is("300"));
        assertThat(session.audio().length, is(FakeTwilioCaller.clip("book_appointment").length + 1400 * 8));
    }

    @Test
    void finalizeIsAnsweredWithTheWordsSoFarAndTheLaterSpeechFinalIsReportedEvenEmpty() throws Exception {
        fake.queueUtterances("My name is Jane Doe.");
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = nova(Duration.ofMillis(1000), Duration.ofSeconds(3)).open("CA2", events)) {
            SpeechEvents.feed(stream, FakeTwilioCaller.clip("my_name"), 5);
            SpeechEvents.feed(stream, SpeechEvents.silence(200), 5);
            stream.finalizeNow();

            SpeechEvent.Words answer = (SpeechEvent.Words) events.await(
                    e -> e instanceof SpeechEvent.Words w && w.fromFinalize(), WAIT).event();
            assertThat(answer.text(), is("My name is Jane Doe."));
            assertThat(answer.isFinal(), is(true));
            assertThat(stream.finalizes(), is(1));

            SpeechEvents.feed(stream, SpeechEvents.silence(1000), 5);
            SpeechEvent.Words end = (SpeechEvent.Words) events.await(
                    e -> e instanceof SpeechEvent.Words w && w.speechFinal(), WAIT).event();
            assertThat(end.text(), is(""));
        }
        assertThat(fake.lastSession().controlTypes(), hasItem("Finalize"));
    }

    @Test
    void finalizeWithNothingHeardStillGetsAnAnswer() throws Exception {
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA3", events)) {
            stream.finalizeNow();

            SpeechEvent.Words answer = (SpeechEvent.Words) events.await(
                    e -> e instanceof SpeechEvent.Words w && w.fromFinalize(), WAIT).event();
            assertThat(answer.text(), is(""));
        }
    }

    @Test
    void keepAliveHoldsASilentSocketOpenPastTheIdleLimit() throws Exception {
        fake.idleTimeout(Duration.ofMillis(600));
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofMillis(200)).open("CA4", events)) {
            Thread.sleep(1500);

            assertThat(events.events(), is(empty()));
            FakeStreamingStt.Session session = fake.lastSession();
            assertThat(session.isOpen(), is(true));
            assertThat(session.controlTypes().stream().filter("KeepAlive"::equals).count(), greaterThanOrEqualTo(3L));
            assertThat(session.audioBytes(), is(0L));
        }
    }

    @Test
    void withoutKeepAliveInTimeTheVendorClosesTheIdleSocketAndTheCallerHearsOfIt() throws Exception {
        fake.idleTimeout(Duration.ofMillis(600));
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA5", events)) {
            SpeechEvent.Dropped dropped = (SpeechEvent.Dropped) events.await(
                    e -> e instanceof SpeechEvent.Dropped, WAIT).event();

            assertThat(dropped.why(), containsString("1011"));
            assertThat(fake.lastSession().endedHow(), containsString("NET-0001"));
        }
    }

    @Test
    void aStreamCutMidCallIsReportedOnceAndLaterAudioIsIgnored() throws Exception {
        fake.failNext(StreamFault.cutAfter(Duration.ofMillis(300)));
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA6", events)) {
            SpeechEvents.feed(stream, FakeTwilioCaller.clip("my_name"), 10);
            events.await(e -> e instanceof SpeechEvent.Dropped, WAIT);
            double sent = stream.audioSeconds();
            SpeechEvents.feed(stream, SpeechEvents.silence(300), 5);
            stream.finalizeNow();
            Thread.sleep(300);

            assertThat(events.all(SpeechEvent.Dropped.class), hasSize(1));
            assertThat(events.events().getLast(), instanceOf(SpeechEvent.Dropped.class));
            assertThat(stream.audioSeconds(), is(sent));
            assertThat(stream.finalizes(), is(0));
        }
        assertThat(fake.lastSession().endedHow(), is("cut"));
    }

    @Test
    void aVendorThatStopsReadingNeverBlocksTheCallerAndEndsInOneDrop() throws Exception {
        fake.idleTimeout(Duration.ofSeconds(60));
        fake.failNext(StreamFault.stopReading());
        SpeechEvents events = new SpeechEvents();
        byte[] second = SpeechEvents.silence(1000);

        try (SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA11", events)) {
            long slowestNanos = 0;
            long giveUp = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (events.all(SpeechEvent.Dropped.class).isEmpty() && System.nanoTime() < giveUp) {
                long start = System.nanoTime();
                stream.audio(second); // far faster than real time, until the TCP buffers are full and sends stall
                slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
                Thread.sleep(1);
            }

            SpeechEvent.Dropped dropped = (SpeechEvent.Dropped) events.await(
                    e -> e instanceof SpeechEvent.Dropped, Duration.ofSeconds(1)).event();
            assertThat(dropped.why(), containsString("stalled"));
            assertThat("audio() never waits for the socket", slowestNanos / 1_000_000, lessThan(1000L));
            double sent = stream.audioSeconds();
            stream.audio(second);
            assertThat(stream.audioSeconds(), is(sent));
        }
        assertThat(events.all(SpeechEvent.Dropped.class), hasSize(1));
    }

    @Test
    void aVendorCloseWithACodeIsADrop() throws Exception {
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA7", events)) {
            fake.awaitSession(1, WAIT).close(1011, "internal error");

            SpeechEvent.Dropped dropped = (SpeechEvent.Dropped) events.await(
                    e -> e instanceof SpeechEvent.Dropped, WAIT).event();
            assertThat(dropped.why(), containsString("1011"));
        }
        assertThat(events.all(SpeechEvent.Dropped.class), hasSize(1));
    }

    @Test
    void malformedAndUnknownMessagesAreSkippedAndLaterOnesStillArrive() throws Exception {
        SpeechEvents events = new SpeechEvents();

        try (SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA10", events)) {
            FakeStreamingStt.Session session = fake.awaitSession(1, WAIT);
            session.sendRaw("{not json");
            session.sendRaw("[1,2]");
            session.sendRaw("{\"type\":\"Results\",\"channel\":{\"alternatives\":[{\"transcript\":42}]}}");
            session.sendRaw("{\"type\":\"Metadata\",\"request_id\":\"r\"}");
            session.sendRaw("{\"type\":\"SomethingNew\"}");
            session.sendRaw("{\"type\":\"Results\",\"is_final\":false,\"channel\":{\"alternatives\":[{\"transcript\":\"\"}]}}");
            session.sendRaw("{\"type\":\"Results\",\"is_final\":true,\"channel\":{\"alternatives\":[{\"transcript\":\" hello \"}]}}");

            SpeechEvent.Words words = (SpeechEvent.Words) events.await(e -> e instanceof SpeechEvent.Words, WAIT).event();

            assertThat(words, is(new SpeechEvent.Words("hello", true, false, false, false)));
            assertThat(events.events(), contains(words));
        }
    }

    @Test
    void closeSendsCloseStreamEndsPromptlyAndIsNotADrop() throws Exception {
        fake.queueUtterances("My name is Jane Doe.");
        SpeechEvents events = new SpeechEvents();
        SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA8", events);
        SpeechEvents.feed(stream, FakeTwilioCaller.clip("my_name"), 5);

        long start = System.nanoTime();
        stream.close();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        stream.close();

        assertThat(tookMs, lessThan(1300L));
        FakeStreamingStt.Session session = fake.lastSession();
        assertThat(session.awaitEnd(WAIT), is(true));
        assertThat(session.controlTypes(), contains("CloseStream"));
        Thread.sleep(200);
        assertThat(events.all(SpeechEvent.Dropped.class), is(empty()));
        List<String> sent = session.sent();
        assertThat(sent.getLast(), containsString("\"type\":\"Metadata\""));
        assertThat(session.endedHow(), not(containsString("lost")));
    }

    @Test
    void closeAfterTheSocketDroppedReturnsAtOnce() throws Exception {
        SpeechEvents events = new SpeechEvents();
        SpeechStream stream = nova(Duration.ofMillis(300), Duration.ofSeconds(3)).open("CA9", events);
        fake.awaitSession(1, WAIT).cut();
        events.await(e -> e instanceof SpeechEvent.Dropped, WAIT);

        long start = System.nanoTime();
        stream.close();

        assertThat((System.nanoTime() - start) / 1_000_000, lessThan(200L));
        assertThat(events.all(SpeechEvent.Dropped.class), hasSize(1));
    }
}
