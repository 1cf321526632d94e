package dev.voiceagent.fakes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;

import dev.voiceagent.call.Ticker;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every case of {@link FakeTwilioCallerTest} again, with the caller on a {@link LoopbackWebSocket} (the load generator's
 * transport) instead of the JDK's client: the same wire format, media clock, playout, closes and drops.
 */
class FakeTwilioCallerOverLoopbackTest extends FakeTwilioCallerTest {

    @Override
    FakeTwilioCaller connect(URI uri, Map<String, String> headers) throws Exception {
        return FakeTwilioCaller.connectOverLoopback(uri, headers, null);
    }

    @Override
    FakeTwilioCaller connectClocked(URI uri, Map<String, String> headers, Ticker clock, HttpClient shared)
            throws Exception {
        return FakeTwilioCaller.connectOverLoopback(uri, headers, clock);
    }

    @Override
    @Test
    void refusedHandshakeThrows() {
        IOException refused = assertThrows(IOException.class, () -> connect(uri(),
                Map.of("X-Twilio-Signature", ScriptedMediaServer.REJECTED_SIGNATURE)));

        assertThat(refused.getMessage(), containsString("upgrade refused"));
    }
}
