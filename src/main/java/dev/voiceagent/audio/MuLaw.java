package dev.voiceagent.audio;

/**
 * G.711 mu-law, the only encoding Twilio Media Streams carry (8 kHz, mono).
 * Decoding goes through a 256-entry table because it runs for every inbound sample.
 */
public final class MuLaw {

    private static final int BIAS = 0x84;
    private static final int CLIP = 32635;
    private static final short[] DECODE = new short[256];

    static {
        for (int i = 0; i < 256; i++) {
            int u = ~i & 0xFF;
            int t = ((u & 0x0F) << 3) + BIAS;
            t <<= (u & 0x70) >> 4;
            DECODE[i] = (short) ((u & 0x80) != 0 ? BIAS - t : t - BIAS);
        }
    }

    private MuLaw() {
    }

    /** One mu-law byte to a 16-bit linear sample. */
    public static short decode(byte mulaw) {
        return DECODE[mulaw & 0xFF];
    }

    /** Decodes {@code length} bytes from {@code in[offset]} into {@code out[0..length)}. */
    public static void decode(byte[] in, int offset, int length, short[] out) {
        for (int i = 0; i < length; i++) {
            out[i] = DECODE[in[offset + i] & 0xFF];
        }
    }

    /** One 16-bit linear sample to mu-law. */
    public static byte encode(int sample) {
        int sign = (sample >> 8) & 0x80;
        if (sign != 0) {
            sample = -sample;
        }
        if (sample > CLIP) {
            sample = CLIP;
        }
        sample += BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (sample & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (sample >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    /** The mu-law byte for digital silence. */
    public static final byte SILENCE = (byte) 0xFF;
}
