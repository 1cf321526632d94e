package dev.voiceagent.audio;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * RIFF/WAVE packing and unpacking. Speech-to-text vendors want a self-describing file rather than raw
 * mu-law, and some speech synthesizers answer with one, so both directions are needed.
 */
public final class Wav {

    /** Size of the canonical header that {@link #fromMuLaw} and {@link #pcm16} write. */
    public static final int HEADER_BYTES = 44;

    /** {@code audioFormat} code of linear PCM. */
    public static final int FORMAT_PCM = 1;
    /** {@code audioFormat} code of G.711 mu-law. */
    public static final int FORMAT_MULAW = 7;
    /** {@code audioFormat} code that defers the real code to a sub-format GUID inside the fmt chunk. */
    public static final int FORMAT_EXTENSIBLE = 0xFFFE;

    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;

    private Wav() {
    }

    /**
     * The fmt chunk fields that matter for decoding.
     *
     * @param audioFormat {@link #FORMAT_PCM}, {@link #FORMAT_MULAW}, ...; an extensible header is reported by
     *                    its sub-format code
     */
    public record Format(int audioFormat, int channels, int sampleRate, int bitsPerSample) {
    }

    /**
     * A parsed file.
     *
     * @param data the bytes of the data chunk, a fresh array owned by the caller
     */
    public record Parsed(Format format, byte[] data) {
    }

    /** A complete 8 kHz mono PCM 16-bit WAV file holding {@code length} mu-law bytes from {@code offset}. */
    public static byte[] fromMuLaw(byte[] mulaw, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, mulaw.length);
        byte[] out = header(length, 8000);
        int p = HEADER_BYTES;
        for (int i = offset, end = offset + length; i < end; i++) {
            short s = MuLaw.decode(mulaw[i]);
            out[p++] = (byte) s;
            out[p++] = (byte) (s >> 8);
        }
        return out;
    }

    /** A complete mono PCM 16-bit WAV file holding {@code samples[0..count)}. */
    public static byte[] pcm16(short[] samples, int count, int sampleRate) {
        Objects.checkFromIndexSize(0, count, samples.length);
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive: " + sampleRate);
        }
        byte[] out = header(count, sampleRate);
        int p = HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            short s = samples[i];
            out[p++] = (byte) s;
            out[p++] = (byte) (s >> 8);
        }
        return out;
    }

    /** Whether the bytes start like a RIFF/WAVE file, so callers can tell a WAV answer from raw audio. */
    public static boolean isRiff(byte[] b, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, b.length);
        return length >= 12 && tagAt(b, offset, "RIFF") && tagAt(b, offset + 8, "WAVE");
    }

    /**
     * Reads the format and the audio of a RIFF/WAVE file. Chunks other than {@code fmt } and {@code data}
     * (LIST, fact, ...) are skipped. A data size of 0, 0xFFFFFFFF or one beyond the end of the array is read as
     * "up to the end", because streaming encoders write the header before they know the length.
     *
     * @throws IllegalArgumentException when the bytes are not a RIFF/WAVE file or its chunks are garbled
     */
    public static Parsed parse(byte[] riff) {
        if (!isRiff(riff, 0, riff.length)) {
            throw new IllegalArgumentException("not a RIFF/WAVE file (" + riff.length + " bytes, starts "
                    + printable(riff, 0, Math.min(12, riff.length)) + ")");
        }
        Format format = null;
        byte[] data = null;
        int pos = 12;
        while (pos + 8 <= riff.length && (format == null || data == null)) {
            String id = new String(riff, pos, 4, StandardCharsets.US_ASCII);
            long size = u32(riff, pos + 4);
            int body = pos + 8;
            long remaining = riff.length - body;
            if (id.equals("data")) {
                boolean toEnd = size == 0 || size == UNKNOWN_SIZE || size > remaining;
                int length = toEnd ? (int) remaining : (int) size;
                data = Arrays.copyOfRange(riff, body, body + length);
                if (toEnd) {
                    break;
                }
            } else if (id.equals("fmt ")) {
                format = format(riff, body, size, remaining);
            } else if (!isTag(riff, pos)) {
                throw new IllegalArgumentException("garbled WAV: bad chunk id at byte " + pos + ": "
                        + printable(riff, pos, 4));
            }
            // Chunks are word aligned: an odd-sized chunk is followed by one pad byte.
            pos = (int) Math.min(riff.length, body + size + (size & 1));
        }
        if (format == null) {
            throw new IllegalArgumentException("garbled WAV: no fmt chunk");
        }
        if (data == null) {
            throw new IllegalArgumentException("garbled WAV: no data chunk");
        }
        return new Parsed(format, data);
    }

    private static Format format(byte[] b, int body, long size, long remaining) {
        if (size < 16 || size > remaining) {
            throw new IllegalArgumentException("garbled WAV: fmt chunk of " + size + " bytes with " + remaining
                    + " left");
        }
        int audioFormat = u16(b, body);
        int channels = u16(b, body + 2);
        int sampleRate = (int) Math.min(Integer.MAX_VALUE, u32(b, body + 4));
        int bitsPerSample = u16(b, body + 14);
        if (audioFormat == FORMAT_EXTENSIBLE && size >= 40) {
            // WAVEFORMATEXTENSIBLE: the real format code is the first two bytes of the sub-format GUID.
            audioFormat = u16(b, body + 24);
        }
        if (channels == 0 || sampleRate == 0) {
            throw new IllegalArgumentException("garbled WAV: " + channels + " channels at " + sampleRate + " Hz");
        }
        return new Format(audioFormat, channels, sampleRate, bitsPerSample);
    }

    private static byte[] header(int samples, int sampleRate) {
        if (samples > (Integer.MAX_VALUE - HEADER_BYTES) / 2) {
            throw new IllegalArgumentException(samples + " samples do not fit in one WAV array");
        }
        int dataBytes = samples * 2;
        byte[] out = new byte[HEADER_BYTES + dataBytes];
        putTag(out, 0, "RIFF");
        putU32(out, 4, 36 + dataBytes);
        putTag(out, 8, "WAVE");
        putTag(out, 12, "fmt ");
        putU32(out, 16, 16);
        putU16(out, 20, FORMAT_PCM);
        putU16(out, 22, 1);
        putU32(out, 24, sampleRate);
        putU32(out, 28, sampleRate * 2);
        putU16(out, 32, 2);
        putU16(out, 34, 16);
        putTag(out, 36, "data");
        putU32(out, 40, dataBytes);
        return out;
    }

    private static boolean tagAt(byte[] b, int pos, String tag) {
        for (int i = 0; i < 4; i++) {
            if (b[pos + i] != tag.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    // Real chunk ids are four printable ASCII characters; anything else means we lost sync with the chunks.
    private static boolean isTag(byte[] b, int pos) {
        for (int i = 0; i < 4; i++) {
            if (b[pos + i] < 0x20 || b[pos + i] > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static String printable(byte[] b, int pos, int length) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = pos; i < pos + length; i++) {
            char c = (char) (b[i] & 0xFF);
            sb.append(c >= 0x20 && c <= 0x7E ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.append('"').toString();
    }

    private static int u16(byte[] b, int pos) {
        return (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int pos) {
        return (u16(b, pos) | (long) u16(b, pos + 2) << 16);
    }

    private static void putTag(byte[] b, int pos, String tag) {
        for (int i = 0; i < 4; i++) {
            b[pos + i] = (byte) tag.charAt(i);
        }
    }

    private static void putU16(byte[] b, int pos, int v) {
        b[pos] = (byte) v;
        b[pos + 1] = (byte) (v >> 8);
    }

    private static void putU32(byte[] b, int pos, int v) {
        putU16(b, pos, v);
        putU16(b, pos + 2, v >>> 16);
    }
}
