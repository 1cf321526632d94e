package dev.voiceagent.tts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;

import dev.voiceagent.fakes.TestAudio;
import dev.voiceagent.vendor.VendorHttp;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** What a TTS body holds is told by its first bytes; only mu-law is ever handed on. */
class MuLawForwarderTest {

    private final VendorHttp http = new VendorHttp("test", Duration.ofSeconds(1), Duration.ofSeconds(1));

    private MuLawForwarder.Kind sniff(byte[] body) {
        return MuLawForwarder.sniff(http, 200, new ByteArrayInputStream(body)).kind();
    }

    /** Two MPEG-2 Layer III frames, 48 kbps at 24 kHz (144 bytes each): a low-rate MP3 as a TTS vendor sends. */
    private static byte[] mpeg2Layer3() {
        byte[] two = new byte[288];
        for (int at : new int[] {0, 144}) {
            two[at] = (byte) 0xFF;
            two[at + 1] = (byte) 0xF3;
            two[at + 2] = (byte) 0x64;
            two[at + 3] = (byte) 0xC4;
        }
        return two;
    }

    @Test
    void lowRateMp3WithoutATagIsMp3() {
        assertThat(MuLawForwarder.mpegFrameLength(mpeg2Layer3(), 0), is(144));
        assertThat(sniff(mpeg2Layer3()), is(MuLawForwarder.Kind.MP3));
    }

    @Test
    void oneLoneFrameHeaderIsNotEnoughToRefuseAudio() {
        byte[] body = mpeg2Layer3();
        body[144] = 0x12; // no second header where the first frame ends
        assertThat(sniff(body), is(MuLawForwarder.Kind.RAW_MULAW));
    }

    @Test
    void muLawToneAndSilenceAreAudio() {
        assertThat(sniff(TestAudio.toneMuLaw(200)), is(MuLawForwarder.Kind.RAW_MULAW));
        byte[] silence = new byte[1600];
        java.util.Arrays.fill(silence, (byte) 0xFF);
        assertThat(sniff(silence), is(MuLawForwarder.Kind.RAW_MULAW));
    }

    @Test
    void jsonAndWavAreRecognised() {
        assertThat(sniff(" \n{\"errors\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8)), is(MuLawForwarder.Kind.JSON));
        assertThat(sniff(TestAudio.wavMuLaw(TestAudio.toneMuLaw(100))), is(MuLawForwarder.Kind.WAV));
    }

    @Test
    void aWavIsForwardedWithoutItsHeader() {
        byte[] mulaw = TestAudio.toneMuLaw(100);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MuLawForwarder.forward(http, 200, new ByteArrayInputStream(TestAudio.wavMuLaw(mulaw)), (b, off, len) -> {
            out.write(b, off, len);
            return true;
        });
        assertThat(out.toByteArray(), is(mulaw));
    }
}
