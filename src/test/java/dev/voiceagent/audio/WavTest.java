package dev.voiceagent.audio;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writing WAV files for speech-to-text and reading the ones synthesizers return. */
class WavTest {

    private static final Wav.Format PCM_8K = new Wav.Format(Wav.FORMAT_PCM, 1, 8000, 16);

    private final Random random = new Random(44);

    @Test
    void muLawBecomesACanonical44ByteHeaderFor8KilohertzMono16BitPcm() {
        byte[] mulaw = randomBytes(320);

        ByteBuffer wav = littleEndian(Wav.fromMuLaw(mulaw, 0, mulaw.length));

        assertThat(wav.capacity(), is(44 + 640));
        assertThat(tag(wav, 0), is("RIFF"));
        assertThat(wav.getInt(4), is(36 + 640));
        assertThat(tag(wav, 8), is("WAVE"));
        assertThat(tag(wav, 12), is("fmt "));
        assertThat(wav.getInt(16), is(16));
        assertThat(wav.getShort(20), is((short) 1));
        assertThat(wav.getShort(22), is((short) 1));
        assertThat(wav.getInt(24), is(8000));
        assertThat(wav.getInt(28), is(16000));
        assertThat(wav.getShort(32), is((short) 2));
        assertThat(wav.getShort(34), is((short) 16));
        assertThat(tag(wav, 36), is("data"));
        assertThat(wav.getInt(40), is(640));
    }

    @Test
    void muLawSamplesAreDecodedToLittleEndianPcm() {
        byte[] mulaw = randomBytes(1_000);

        ByteBuffer wav = littleEndian(Wav.fromMuLaw(mulaw, 200, 500));

        for (int i = 0; i < 500; i++) {
            assertThat("sample " + i, wav.getShort(44 + 2 * i), is(MuLaw.decode(mulaw[200 + i])));
        }
    }

    @Test
    void linearSamplesRoundTripThroughParse() {
        short[] samples = Signals.whiteNoise(random, -20, 2_400);

        Wav.Parsed parsed = Wav.parse(Wav.pcm16(samples, 2_000, 24_000));

        assertThat(parsed.format(), is(new Wav.Format(Wav.FORMAT_PCM, 1, 24_000, 16)));
        assertArrayEquals(littleEndianBytes(Arrays.copyOf(samples, 2_000)), parsed.data());
    }

    @Test
    void chunksBetweenFmtAndDataAreSkippedIncludingOddSizedOnesAndTheirPadByte() {
        byte[] audio = randomBytes(101);
        byte[] wav = riff(fmt(Wav.FORMAT_PCM, 1, 8000, 16),
                chunk("LIST", randomBytes(27)),
                chunk("fact", randomBytes(4)),
                chunk("data", audio));

        Wav.Parsed parsed = Wav.parse(wav);

        assertThat(parsed.format(), is(PCM_8K));
        assertArrayEquals(audio, parsed.data());
    }

    @Test
    void dataMayComeBeforeFmtAndTrailingChunksAreNotPartOfIt() {
        byte[] audio = randomBytes(64);
        byte[] wav = riff(chunk("data", audio), fmt(Wav.FORMAT_MULAW, 1, 8000, 8), chunk("LIST", randomBytes(9)));

        Wav.Parsed parsed = Wav.parse(wav);

        assertThat(parsed.format(), is(new Wav.Format(Wav.FORMAT_MULAW, 1, 8000, 8)));
        assertArrayEquals(audio, parsed.data());
    }

    @ParameterizedTest(name = "declared data size {0}")
    @ValueSource(longs = {0L, 0xFFFFFFFFL, 1_000_000L})
    void aStreamingDataSizeMeansUpToTheEndOfTheFile(long declaredSize) {
        byte[] audio = randomBytes(334);
        byte[] wav = riff(fmt(Wav.FORMAT_PCM, 1, 8000, 16), chunk("data", audio));
        int dataSizeField = 12 + 24 + 4;
        littleEndian(wav).putInt(dataSizeField, (int) declaredSize);

        assertArrayEquals(audio, Wav.parse(wav).data());
    }

    @Test
    void anExtensibleHeaderReportsItsSubFormat() {
        ByteBuffer fmt = littleEndian(new byte[40]);
        fmt.putShort(0, (short) Wav.FORMAT_EXTENSIBLE).putShort(2, (short) 1).putInt(4, 16_000)
                .putInt(8, 32_000).putShort(12, (short) 2).putShort(14, (short) 16).putShort(16, (short) 22)
                .putShort(24, (short) Wav.FORMAT_PCM);
        byte[] wav = riff(chunk("fmt ", fmt.array()), chunk("data", randomBytes(10)));

        assertThat(Wav.parse(wav).format(), is(new Wav.Format(Wav.FORMAT_PCM, 1, 16_000, 16)));
    }

    @Test
    void recognisesRiffAtAnOffsetAndNotRawAudio() {
        byte[] wav = Wav.fromMuLaw(randomBytes(160), 0, 160);
        byte[] prefixed = new byte[wav.length + 7];
        System.arraycopy(wav, 0, prefixed, 7, wav.length);
        byte[] raw = new byte[160];
        Arrays.fill(raw, MuLaw.SILENCE);

        assertThat(Wav.isRiff(wav, 0, wav.length), is(true));
        assertThat(Wav.isRiff(prefixed, 7, wav.length), is(true));
        assertThat(Wav.isRiff(prefixed, 0, prefixed.length), is(false));
        assertThat(Wav.isRiff(raw, 0, raw.length), is(false));
        assertThat(Wav.isRiff(wav, 0, 11), is(false));
    }

    @Test
    void rawAudioIsRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Wav.parse(randomBytes(500)));

        assertThat(e.getMessage(), containsString("not a RIFF/WAVE file"));
    }

    @Test
    void emptyInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Wav.parse(new byte[0]));
    }

    @Test
    void aFileWithoutFmtIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Wav.parse(riff(chunk("data", randomBytes(10)))));

        assertThat(e.getMessage(), containsString("no fmt chunk"));
    }

    @Test
    void aFileWithoutDataIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Wav.parse(riff(fmt(Wav.FORMAT_PCM, 1, 8000, 16))));

        assertThat(e.getMessage(), containsString("no data chunk"));
    }

    @Test
    void aTruncatedFmtChunkIsRejected() {
        byte[] whole = riff(fmt(Wav.FORMAT_PCM, 1, 8000, 16));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Wav.parse(Arrays.copyOf(whole, 30)));

        assertThat(e.getMessage(), containsString("fmt"));
    }

    @Test
    void aChunkIdThatIsNotTextMeansTheFileIsGarbled() {
        byte[] wav = riff(fmt(Wav.FORMAT_PCM, 1, 8000, 16), chunk("\0\1\2\3", randomBytes(8)),
                chunk("data", randomBytes(8)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Wav.parse(wav));

        assertThat(e.getMessage(), containsString("bad chunk id"));
    }

    private static byte[] riff(byte[]... chunks) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
        for (byte[] chunk : chunks) {
            body.writeBytes(chunk);
        }
        ByteBuffer out = littleEndian(new byte[8 + body.size()]);
        out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(body.size()).put(body.toByteArray());
        return out.array();
    }

    /** A chunk with its size field and, after an odd-sized body, the pad byte. */
    private static byte[] chunk(String id, byte[] body) {
        ByteBuffer out = littleEndian(new byte[8 + body.length + (body.length & 1)]);
        out.put(id.getBytes(StandardCharsets.ISO_8859_1)).putInt(body.length).put(body);
        return out.array();
    }

    private static byte[] fmt(int format, int channels, int rate, int bits) {
        int blockAlign = channels * bits / 8;
        ByteBuffer body = littleEndian(new byte[16]);
        body.putShort((short) format).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
                .putShort((short) blockAlign).putShort((short) bits);
        return chunk("fmt ", body.array());
    }

    private static ByteBuffer littleEndian(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String tag(ByteBuffer b, int pos) {
        return new String(b.array(), pos, 4, StandardCharsets.US_ASCII);
    }

    private static byte[] littleEndianBytes(short[] samples) {
        ByteBuffer out = littleEndian(new byte[samples.length * 2]);
        for (short s : samples) {
            out.putShort(s);
        }
        return out.array();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
