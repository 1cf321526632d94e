package dev.voiceagent.audio;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import org.junit.jupiter.api.Test;

/** G.711 mu-law as Twilio speaks it. */
class MuLawTest {

    @Test
    void everyCodeSurvivesDecodeThenEncode() {
        for (int code = 0; code < 256; code++) {
            // 0x7F is "negative zero", which has no linear value of its own and comes back as 0xFF.
            int expected = code == 0x7F ? 0xFF : code;
            assertThat("code " + code, MuLaw.encode(MuLaw.decode((byte) code)) & 0xFF, is(expected));
        }
    }

    @Test
    void silenceIsCode0xFFAndZero() {
        assertThat(MuLaw.SILENCE, is((byte) 0xFF));
        assertThat(MuLaw.decode(MuLaw.SILENCE), is((short) 0));
        assertThat(MuLaw.encode(0), is(MuLaw.SILENCE));
    }

    @Test
    void decodedValuesCoverTheG711Range() {
        assertThat(MuLaw.decode((byte) 0x80), is((short) 32124));
        assertThat(MuLaw.decode((byte) 0x00), is((short) -32124));
    }

    @Test
    void aLouderSampleNeverEncodesToAQuieterOne() {
        int previous = Integer.MIN_VALUE;
        for (int s = Short.MIN_VALUE; s <= Short.MAX_VALUE; s++) {
            int quantised = MuLaw.decode(MuLaw.encode(s));
            assertThat("sample " + s, quantised, greaterThanOrEqualTo(previous));
            previous = quantised;
        }
    }

    @Test
    void quantisationErrorGrowsWithTheSampleButStaysSmallRelativeToIt() {
        for (int s = Short.MIN_VALUE; s <= Short.MAX_VALUE; s++) {
            int error = Math.abs(MuLaw.decode(MuLaw.encode(s)) - s);
            // Half a step, which is 1/32 of the biased magnitude (4 near zero, 512 in the top segment); the
            // largest code is 32124, so louder samples also carry the clip.
            int magnitude = Math.abs(s);
            int allowed = magnitude > 32124 ? magnitude - 32124 + 512 : (magnitude + 0x84) / 32 + 1;
            assertThat("sample " + s, error, lessThanOrEqualTo(allowed));
        }
    }

    @Test
    void positiveAndNegativeSamplesAreMirrorImages() {
        for (int code = 0; code < 256; code++) {
            assertThat("code " + code, MuLaw.decode((byte) (code ^ 0x80)), is((short) -MuLaw.decode((byte) code)));
        }
        for (int s = 1; s <= Short.MAX_VALUE; s++) {
            assertThat("sample " + s, MuLaw.encode(-s), is((byte) (MuLaw.encode(s) ^ 0x80)));
        }
    }

    @Test
    void bulkDecodeMatchesOneByOne() {
        byte[] in = new byte[300];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 7);
        }
        short[] out = new short[256];

        MuLaw.decode(in, 44, 256, out);

        for (int i = 0; i < 256; i++) {
            assertThat("byte " + i, out[i], is(MuLaw.decode(in[44 + i])));
        }
    }
}
