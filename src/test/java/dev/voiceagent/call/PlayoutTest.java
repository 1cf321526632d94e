package dev.voiceagent.call;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.voiceagent.twilio.MediaStreamSender;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** Agent audio leaves in order, paced with a small lead; a clear silences it for good. */
class PlayoutTest {

    private static final String SID = "MZ00000000000000000000000000000001";

    /** Records what would have gone to Twilio, and when. */
    private static final class RecordingSender implements MediaStreamSender {
        record Sent(long nanos, String json) {
        }

        final List<Sent> sent = new CopyOnWriteArrayList<>();
        /** The media message at this index (from 0) takes 300 ms to write, as on a congested socket. */
        volatile long slowMedia = -1;

        @Override
        public void send(String json) {
            if (json.contains("\"media\"") && media() == slowMedia) {
                sleep(300);
            }
            sent.add(new Sent(System.nanoTime(), json));
        }

        @Override
        public void close(int code, String reason) {
        }

        List<String> kinds() {
            return sent.stream().map(s -> s.json().contains("\"media\"") ? "media"
                    : s.json().contains("\"mark\"") ? "mark:" + s.json().replaceAll(".*\"name\":\"([^\"]*)\".*", "$1")
                    : "clear").toList();
        }

        long media() {
            return sent.stream().filter(s -> s.json().contains("\"media\"")).count();
        }
    }

    private final RecordingSender out = new RecordingSender();
    private final List<Stutter> stutters = new CopyOnWriteArrayList<>();
    private final Ticker ticker = new Ticker(Duration.ofMillis(10), System::nanoTime);
    private final Playout playout = new Playout(out, SID, Duration.ofMillis(160), Duration.ofMillis(20),
                                                System::nanoTime, ticker, () -> { }, stutters::add, "test-playout");

    @AfterEach
    void close() {
        playout.close();
        ticker.close();
    }

    @Test
    void audioIsSentInTwentyMillisecondFramesFollowedByItsMark() throws Exception {
        playout.audio(1, new byte[400], 0, 400);   // 50 ms: two full frames and a partial one
        playout.mark(1, "r1.0");
        Waits.until(() -> out.sent.size() == 4);
        assertThat(out.kinds(), contains("media", "media", "media", "mark:r1.0"));
        assertThat(out.sent.get(2).json().length(), lessThan(out.sent.get(0).json().length()));
    }

    @Test
    void sendsAboutTheLeadAtOnceAndTheRestAtRealTime() throws Exception {
        long start = System.nanoTime();
        playout.audio(1, new byte[8000], 0, 8000);   // one second
        Waits.until(() -> out.media() == 50);
        long tookMs = (out.sent.getLast().nanos() - start) / 1_000_000;
        long leadFrames = out.sent.stream().filter(s -> s.nanos() - start < 60_000_000L).count();
        // Never all at once (that would leave seconds to flush on barge-in), never slower than real time. In the first
        // 60 ms: the 160 ms lead (8 frames), 60 ms at real time (3) and one frame sent up to a tick early (Ticker).
        assertThat(leadFrames, lessThan(13L));
        assertThat(tookMs, greaterThan(700L));
        assertThat(tookMs, lessThan(1300L));
    }

    @Test
    void clearDropsWhatIsQueuedAndRefusesLateAudioOfTheClearedReply() throws Exception {
        playout.audio(1, new byte[16000], 0, 16000);    // two seconds
        playout.mark(1, "r1.end");
        Thread.sleep(300);
        playout.clear(1);
        playout.audio(1, new byte[1600], 0, 1600);       // a producer that had not seen the cancel yet
        playout.mark(1, "r1.late");
        playout.audio(2, new byte[160], 0, 160);         // the next reply plays normally
        playout.mark(2, "r2.end");
        Waits.until(() -> out.kinds().contains("mark:r2.end"));
        Thread.sleep(100);
        List<String> kinds = out.kinds();
        assertThat(kinds.contains("mark:r1.end"), is(false));
        assertThat(kinds.contains("mark:r1.late"), is(false));
        int clear = kinds.indexOf("clear");
        assertThat(kinds.subList(clear, kinds.size()), contains("clear", "media", "mark:r2.end"));
        // The pacer may finish the frame it was sending while clear() runs, so count frames before the
        // clear as they were sent rather than sampling a counter beside it: most of the two seconds never left.
        long mediaBeforeClear = kinds.subList(0, clear).stream().filter("media"::equals).count();
        assertThat(mediaBeforeClear, lessThan(40L));
    }

    @Test
    void audioThatKeepsComingInTimeHasNoStutter() throws Exception {
        playout.audio(1, new byte[4000], 0, 4000);   // half a second
        Thread.sleep(150);
        playout.audio(1, new byte[4000], 0, 4000);   // the next sentence, while the first still plays
        playout.mark(1, "r1.end");
        Waits.until(() -> out.kinds().contains("mark:r1.end"));
        assertThat(stutters, is(empty()));
        assertThat(playout.stutters(1), is(Stutter.Tally.NONE));
    }

    @Test
    void speechThatComesAfterTheLineRanDryIsAStutterOfTheSpeech() throws Exception {
        playout.audio(1, new byte[800], 0, 800);     // 100 ms, all within the lead
        Waits.until(() -> out.media() == 5);        // sent (a cold sender may start late), now playing
        Thread.sleep(500);                           // the next sentence is slow to synthesize
        playout.audio(1, new byte[800], 0, 800);
        playout.mark(1, "r1.end");
        Waits.until(() -> out.kinds().contains("mark:r1.end"));
        assertThat(stutters, hasSize(1));
        Stutter s = stutters.getFirst();
        assertThat(s.cause(), is(Stutter.Cause.SPEECH_LATE));
        assertThat(s.millis(), allOf(greaterThan(300L), lessThan(500L)));
        assertThat(playout.stutters(1).count(), is(1));
    }

    @Test
    void aPauseWhileTheNextWordsWereAwaitedIsAPauseForWords() throws Exception {
        playout.wordsKnown(1, System.nanoTime());
        playout.audio(1, new byte[800], 0, 800);     // 100 ms: "Let me check."
        Waits.until(() -> out.media() == 5);        // sent (a cold sender may start late), now playing
        Thread.sleep(500);                           // a tool runs; then the answer's words come
        playout.wordsKnown(1, System.nanoTime());
        playout.audio(1, new byte[800], 0, 800);
        playout.mark(1, "r1.end");
        Waits.until(() -> out.kinds().contains("mark:r1.end"));
        assertThat(stutters, hasSize(1));
        assertThat(stutters.getFirst().cause(), is(Stutter.Cause.WORDS_LATE));
        assertThat(playout.stutters(1).wordsLateMillis(), greaterThan(300L));
    }

    @Test
    void audioThatWaitedWhileTheSenderWasHeldUpIsAStutterOfTheSender() throws Exception {
        out.slowMedia = 15;                          // well past the lead: Twilio plays from its queue meanwhile
        playout.audio(1, new byte[8000], 0, 8000);   // one second, all there from the start
        playout.mark(1, "r1.end");
        Waits.until(() -> out.kinds().contains("mark:r1.end"));
        assertThat(stutters, hasSize(1));
        Stutter s = stutters.getFirst();
        assertThat(s.cause(), is(Stutter.Cause.SENT_LATE));
        assertThat(s.speechLateNanos(), is(0L));
        // 300 ms in the write less the 160-170 ms queued at Twilio when it began
        assertThat(s.millis(), allOf(greaterThan(100L), lessThan(200L)));
    }

    @Test
    void theSilenceBetweenTwoRepliesIsNoStutterAndEachReplyHasItsOwnTally() throws Exception {
        playout.audio(1, new byte[800], 0, 800);
        Waits.until(() -> out.media() == 5);        // sent (a cold sender may start late), now playing
        Thread.sleep(500);
        playout.audio(1, new byte[800], 0, 800);
        playout.mark(1, "r1.end");
        Waits.until(() -> out.kinds().contains("mark:r1.end"));
        Thread.sleep(300);
        playout.audio(2, new byte[800], 0, 800);
        playout.mark(2, "r2.end");
        Waits.until(() -> out.kinds().contains("mark:r2.end"));
        assertThat(stutters, hasSize(1));
        assertThat(playout.stutters(2), is(Stutter.Tally.NONE));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void remembersWhenEachReplyStartedPlaying() throws Exception {
        assertThat(playout.firstFrameNanos(1), is(0L));
        playout.audio(1, new byte[160], 0, 160);
        Waits.until(() -> playout.firstFrameNanos(1) > 0);
        assertThat(playout.firstFrameNanos(2), is(0L));
    }
}
