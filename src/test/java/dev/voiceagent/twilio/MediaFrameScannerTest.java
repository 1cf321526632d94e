package dev.voiceagent.twilio;

import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fast reader of inbound {@code media} frames decodes Twilio's documented frame exactly as the full codec does,
 * and hands every frame it is not sure of back to the full codec (which gives the error), never failing itself.
 */
class MediaFrameScannerTest {

    private static final String SID = "MZ18ad3ab5a668481ce02b83e7395059f0";
    /** 20 ms of mu-law, as Twilio sends it. */
    private static final String PAYLOAD = Base64.getEncoder().encodeToString(audio(160, 7));
    /** The documented shape, field order included. */
    private static final String DOCUMENTED = "{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{\"track\":\"inbound\","
            + "\"chunk\":\"1\",\"timestamp\":\"5\",\"payload\":\"" + PAYLOAD + "\"},\"streamSid\":\"" + SID + "\"}";

    @Test
    void readsTheDocumentedMediaFrameAsTheFullCodecDoes() throws Exception {
        StreamEvent.Media fast = MediaFrameScanner.scan(DOCUMENTED);
        assertThat(fast, notNullValue());
        assertSame(fast, (StreamEvent.Media) MediaStreamCodec.decodeInFull(DOCUMENTED));
        assertThat(fast.streamSid(), is(SID));
        assertThat(fast.track(), is("inbound"));
        assertThat(fast.chunk(), is(1L));
        assertThat(fast.timestampMillis(), is(5L));
        assertThat(fast.payload(), is(audio(160, 7)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // whitespace, field order, unquoted integers, extra scalar fields, a missing track or chunk
            " { \"streamSid\" : \"" + SID + "\" , \"event\" : \"media\" , \"media\" : { \"payload\" : \"AAEC\" ,"
                    + " \"timestamp\" : 40 , \"chunk\" : 2 } }\n",
            "{\"event\":\"media\",\"streamSid\":\"" + SID + "\",\"media\":{\"payload\":\"AAEC\",\"track\":\"outbound\"}}",
            "{\"event\":\"media\",\"sequenceNumber\":12,\"x\":null,\"y\":true,\"z\":-1.5,\"w\":\"é\","
                    + "\"streamSid\":\"" + SID + "\",\"media\":{\"payload\":\"AA==\",\"future\":false}}",
            "{\"event\":\"media\",\"streamSid\":\"" + SID + "\",\"media\":{\"payload\":\"AAE=\",\"timestamp\":\"123456789012\"}}",
            // a repeated field: the last one counts, as in the tree
            "{\"event\":\"stop\",\"event\":\"media\",\"streamSid\":\"x\",\"streamSid\":\"" + SID + "\","
                    + "\"media\":{\"payload\":\"AAEC\"}}"
    })
    void agreesWithTheFullCodecOnEveryWellFormedVariant(String frame) throws Exception {
        StreamEvent.Media fast = MediaFrameScanner.scan(frame);
        assertThat(fast, notNullValue());
        assertSame(fast, (StreamEvent.Media) MediaStreamCodec.decodeInFull(frame));
    }

    @Test
    void decodesEveryPayloadLengthExactlyAsTheJdkDecoder() {
        Random random = new Random(42);
        for (int length = 1; length <= 400; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            String b64 = Base64.getEncoder().encodeToString(bytes);
            String frame = "x\"" + b64 + "\"";
            assertThat("length " + length, MediaFrameScanner.decodeBase64(frame, 2, 2 + b64.length()), is(bytes));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "not json",
            "[1,2,3]",
            "{}",
            "{\"event\":\"media\"}",
            "{\"event\":\"start\",\"streamSid\":\"MZ1\",\"start\":{\"callSid\":\"CA1\"}}",
            "{\"event\":\"mark\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"n\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\"}",
            "{\"event\":\"media\",\"streamSid\":\"\",\"media\":{\"payload\":\"AAEC\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":\"AAEC\"}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"***not base64***\"}}",
            // base64 the fast path does not take: unpadded, URL alphabet, a line break, an escaped slash, padding inside
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAE\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"-_-_\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\\nAAEC\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AA\\/C\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AA==AAEC\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"====\"}}",
            // escapes, nested values, odd numbers, trailing text, non-string fields
            "{\"event\":\"med\\u0069a\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"extra\":{\"a\":[1]},\"media\":{\"payload\":\"AAEC\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\",\"chunk\":007}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\",\"chunk\":1.5}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\",\"chunk\":\"12a\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\",\"timestamp\":\"99999999999999999999\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\",\"track\":1}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\"}} trailing",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\"}}{}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"n\":01,\"media\":{\"payload\":\"AAEC\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"n\":tru,\"media\":{\"payload\":\"AAEC\"}}",
            "{\"event\":\"media\" \"streamSid\":\"MZ1\",\"media\":{\"payload\":\"AAEC\"}}",
            "{\"event\":\"media\",\"streamSid\":12,\"media\":{\"payload\":\"AAEC\"}}",
            "{\"event\":\"media\",\"streamSid\":\"MZ\u00011\",\"media\":{\"payload\":\"AAEC\"}}"
    })
    void leavesEveryOtherFrameToTheFullCodecAndDecodesItTheSameWay(String frame) {
        assertThat(MediaFrameScanner.scan(frame), nullValue());
        sameOutcomeAsTheFullCodec(frame);
    }

    @Test
    void aFrameCutShortAnywhereIsLeftToTheFullCodecWithoutFailing() {
        for (int end = 0; end < DOCUMENTED.length(); end++) {
            String cut = DOCUMENTED.substring(0, end);
            assertThat("cut at " + end, MediaFrameScanner.scan(cut), nullValue());
            assertThrows(MalformedFrameException.class, () -> MediaStreamCodec.decode(cut), "cut at " + end);
        }
    }

    /** decode (fast path first) and decodeInFull give the same event, or fail with the same message. */
    private static void sameOutcomeAsTheFullCodec(String frame) {
        StreamEvent full;
        try {
            full = MediaStreamCodec.decodeInFull(frame);
        } catch (MalformedFrameException expected) {
            MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> MediaStreamCodec.decode(frame));
            assertThat(e.getMessage(), is(expected.getMessage()));
            return;
        }
        StreamEvent decoded;
        try {
            decoded = MediaStreamCodec.decode(frame);
        } catch (MalformedFrameException e) {
            throw new AssertionError("the full codec accepts what decode refuses: " + frame, e);
        }
        if (full instanceof StreamEvent.Media media) {
            assertSame((StreamEvent.Media) decoded, media);
        } else {
            assertThat(decoded, is(full));
        }
    }

    private static void assertSame(StreamEvent.Media actual, StreamEvent.Media expected) {
        assertThat(actual.streamSid(), is(expected.streamSid()));
        assertThat(actual.track(), is(expected.track()));
        assertThat(actual.chunk(), is(expected.chunk()));
        assertThat(actual.timestampMillis(), is(expected.timestampMillis()));
        assertThat(actual.payload(), is(expected.payload()));
    }

    private static byte[] audio(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
