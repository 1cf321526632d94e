package dev.voiceagent.fakes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.voiceagent.call.Ticker;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every case of {@link FakeTwilioCallerTest} again, with the caller on a {@link LoopbackWebSocket} (the load generator's
 * transport) instead of the JDK's client: the same wire format, media clock, playout, closes and drops.
 */
class FakeTwilioCallerOverLoopbackTest extends FakeTwilioCallerTest {

    @Override
    FakeTwilioCaller connect(URI uri, Map<String, String> headers) throws Exception {
        return FakeTwilioCaller.connectOverLoopback(uri, headers, null, FakeTwilioCaller.Memory.INSPECTABLE);
    }

    @Override
    FakeTwilioCaller connectClocked(URI uri, Map<String, String> headers, Ticker clock, HttpClient shared)
            throws Exception {
        return FakeTwilioCaller.connectOverLoopback(uri, headers, clock, FakeTwilioCaller.Memory.INSPECTABLE);
    }

    @Override
    @Test
    void refusedHandshakeThrows() {
        IOException refused = assertThrows(IOException.class, () -> connect(uri(),
                Map.of("X-Twilio-Signature", ScriptedMediaServer.REJECTED_SIGNATURE)));

        assertThat(refused.getMessage(), containsString("upgrade refused"));
    }

    @Test
    void aLeanCallerKeepsOnlyTheLatestFramesAndASecondOfAudioButEveryTiming() throws Exception {
        try (FakeTwilioCaller lean = FakeTwilioCaller.connectOverLoopback(uri(), Map.of("X-Twilio-Signature", "good"),
                                                                          null, FakeTwilioCaller.Memory.LEAN)) {
            ScriptedMediaServer.Connection line = awaitLine();
            lean.start(CALL_SID, Map.of());
            for (int i = 0; i < 12; i++) {
                line.send(media(lean.streamSid(), 800));   // 1.2 s of audio, about 14,000 characters of frames
            }
            line.send(mark(lean.streamSid(), "end"));
            assertThat(lean.awaitReceived(t -> t.contains("\"end\""), WAIT), is(true));
            assertThat(lean.awaitQuiet(Duration.ofMillis(50), WAIT), is(true));
            // The playout model drains on time; its driver thread echoes the mark when it next runs, which on a busy
            // machine can be after the quiet wait above.
            awaitFrameOn(line, t -> t.contains("\"end\""));

            List<String> kept = lean.received();
            assertThat(kept.size(), allOf(greaterThan(1), lessThan(13)));
            assertThat(kept.getLast(), containsString("\"end\""));
            assertThat(lean.playedAudioBytes(), is(9_600L));
            assertThat(lean.playedAudio().length, is(8_000));
            assertThat(lean.echoedMarks(), contains("end"));
            assertThat(lean.gapsMillis(), is(empty()));
        }
    }
}
