package dev.voiceagent.fakes;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.voiceagent.audio.MuLaw;

/**
 * Audio the fakes send and tests feed in: a 440 Hz sine at about -12 dBFS (clearly audible, easy to check), as
 * 8 kHz mu-law, 16-bit PCM or a RIFF/WAVE file, plus a reader for WAV headers.
 */
public final class TestAudio {

    /** Twilio's (and the fakes') only sample rate. */
    public static final int SAMPLE_RATE = 8000;
    /** Peak of the test tone: -12 dBFS of full scale 32767. */
    public static final int TONE_AMPLITUDE = 8231;

    private static final double TONE_HZ = 440;
    /**
     * The first 10 s of the mu-law tone, computed once and never written: a tone of any length is a prefix of it, so
     * a fake answering a load test's thousands of speech requests copies it instead of computing a sine per sample.
     */
    private static final byte[] TONE_MULAW_10S = encode(tonePcm(10_000, SAMPLE_RATE));

    private TestAudio() {
    }

    /** {@code millis} of the test tone as 16-bit samples at {@code sampleRate}. */
    public static short[] tonePcm(int millis, int sampleRate) {
        short[] samples = new short[millis * sampleRate / 1000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) Math.round(TONE_AMPLITUDE * Math.sin(2 * Math.PI * TONE_HZ * i / sampleRate));
        }
        return samples;
    }

    /** {@code millis} of the test tone as raw 8 kHz mu-law, 8 bytes per millisecond. */
    public static byte[] toneMuLaw(int millis) {
        int length = millis * SAMPLE_RATE / 1000;
        return length <= TONE_MULAW_10S.length
                ? Arrays.copyOf(TONE_MULAW_10S, length)
                : encode(tonePcm(millis, SAMPLE_RATE));
    }

    private static byte[] encode(short[] samples) {
        byte[] mulaw = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            mulaw[i] = MuLaw.encode(samples[i]);
        }
        return mulaw;
    }

    /** A WAV file of 16-bit PCM, mono, as Twilio turns arrive in {@code SpeechToText}. */
    public static byte[] wavPcm16(short[] samples, int sampleRate) {
        ByteBuffer data = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short sample : samples) {
            data.putShort(sample);
        }
        return wav(1, 16, sampleRate, data.array());
    }

    /** A WAV file wrapping raw 8 kHz mu-law (format tag 7). */
    public static byte[] wavMuLaw(byte[] mulaw) {
        return wav(7, 8, SAMPLE_RATE, mulaw);
    }

    /** A mono WAV file with one fmt chunk, one LIST chunk (to be skipped by readers) and one data chunk. */
    public static byte[] wav(int formatTag, int bitsPerSample, int sampleRate, byte[] data) {
        int blockAlign = bitsPerSample / 8;
        ByteBuffer fmt = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) formatTag).putShort((short) 1).putInt(sampleRate)
                .putInt(sampleRate * blockAlign).putShort((short) blockAlign).putShort((short) bitsPerSample);
        byte[] list = "INFOISFT\u0006\u0000\u0000\u0000fake\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("RIFF"));
        out.writeBytes(le32(4 + 8 + 16 + 8 + list.length + 8 + data.length));
        out.writeBytes(ascii("WAVE"));
        out.writeBytes(ascii("fmt "));
        out.writeBytes(le32(16));
        out.writeBytes(fmt.array());
        out.writeBytes(ascii("LIST"));
        out.writeBytes(le32(list.length));
        out.writeBytes(list);
        out.writeBytes(ascii("data"));
        out.writeBytes(le32(data.length));
        out.writeBytes(data);
        return out.toByteArray();
    }

    /**
     * Reads a WAV file's format and locates its data chunk.
     *
     * @throws IllegalArgumentException naming what is wrong, when {@code bytes} is not a WAV file
     */
    public static WavInfo readWav(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || !text(bytes, 0).equals("RIFF") || !text(bytes, 8).equals("WAVE")) {
            throw new IllegalArgumentException("not a RIFF/WAVE file");
        }
        int position = 12;
        int format = -1;
        int channels = 0;
        int sampleRate = 0;
        int bits = 0;
        while (position + 8 <= bytes.length) {
            String id = text(bytes, position);
            int size = in.getInt(position + 4);
            int content = position + 8;
            if (id.equals("fmt ") && size >= 16 && content + 16 <= bytes.length) {
                format = Short.toUnsignedInt(in.getShort(content));
                channels = Short.toUnsignedInt(in.getShort(content + 2));
                sampleRate = in.getInt(content + 4);
                bits = Short.toUnsignedInt(in.getShort(content + 14));
            } else if (id.equals("data")) {
                if (format < 0) {
                    throw new IllegalArgumentException("data chunk before fmt chunk");
                }
                int length = Math.min(size, bytes.length - content);
                return new WavInfo(format, channels, sampleRate, bits, content, length);
            }
            position = content + size + (size & 1);
        }
        throw new IllegalArgumentException("no data chunk");
    }

    /**
     * What a WAV file holds.
     *
     * @param format     format tag: 1 PCM, 7 mu-law
     * @param dataOffset where the audio bytes start in the file
     * @param dataLength how many audio bytes there are
     */
    public record WavInfo(int format, int channels, int sampleRate, int bitsPerSample, int dataOffset, int dataLength) {

        /** Duration in whole milliseconds. */
        public int millis() {
            int bytesPerSecond = sampleRate * channels * Math.max(1, bitsPerSample / 8);
            return bytesPerSecond == 0 ? 0 : (int) (dataLength * 1000L / bytesPerSecond);
        }
    }

    private static byte[] le32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] bytes, int at) {
        return new String(bytes, at, 4, StandardCharsets.US_ASCII);
    }
}
