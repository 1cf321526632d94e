package dev.voiceagent.tts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.voiceagent.audio.MuLaw;
import dev.voiceagent.audio.Resampler;
import dev.voiceagent.vendor.VendorHttp;

/**
 * Hands a vendor's audio body to an {@link SpeechSynthesizer.AudioSink} as raw 8 kHz mono mu-law, the only thing
 * Twilio plays; nothing else is ever forwarded. What the body holds is decided by its first bytes (its
 * {@code Content-Type} is not trusted: Workers AI documents {@code audio/mpeg} for Aura whatever encoding was asked):
 * <ul>
 *   <li>{@code RIFF....WAVE}: a WAV. 8 kHz mono mu-law (format 7) or 16-bit PCM (format 1) streams through as it
 *       arrives (PCM encoded to mu-law); mono mu-law or 16-bit PCM at another rate (e.g. 16 or 24 kHz) is read whole
 *       (at most {@value #MAX_RESAMPLED_BYTES} bytes), resampled to 8 kHz and encoded. Any other WAV format is
 *       {@code BAD_RESPONSE}. The header itself is never forwarded (Twilio would play it as a loud click).</li>
 *   <li>{@code ID3}, or two consecutive valid MPEG audio frame headers: MP3, which is not decoded here:
 *       {@code BAD_RESPONSE}.</li>
 *   <li>A JSON object (e.g. Workers AI's envelope): {@link Kind#JSON}, for the client to unwrap or refuse
 *       ({@link #sniff}); {@link #forward} refuses it as {@code BAD_RESPONSE}.</li>
 *   <li>Anything else: raw mu-law (what {@code container: none} / {@code ulaw_8000} means), streamed as it arrives.</li>
 * </ul>
 * Sniffing waits only for the first 4 bytes, and for more only while they could be the start of an MP3 frame.
 * Each read goes to the sink in a fresh array, so a sink may keep what it is given. Blocking; runs on the caller's
 * thread.
 */
final class MuLawForwarder {

    /** What a body holds, by its first bytes. */
    enum Kind { RAW_MULAW, WAV, MP3, JSON }

    /** A body whose first bytes have been looked at; {@code stream} still yields every byte. */
    record Sniffed(Kind kind, InputStream stream) {
    }

    static final int MAX_RESAMPLED_BYTES = 8 * 1024 * 1024;
    private static final int READ_SIZE = 2048;
    // Room for the longest MPEG audio frame (MPEG 2.5 Layer II at 160 kbps and 8 kHz: 2,880 bytes) plus a header.
    private static final int SNIFF_SIZE = 4096;
    private static final int MAX_HEADER_CHUNK = 64 * 1024;
    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_MULAW = 7;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;
    private static final int LINE_RATE = 8000;

    private MuLawForwarder() {
    }

    /**
     * Forwards until the body ends, the sink returns {@code false} or the thread is interrupted.
     *
     * @throws dev.voiceagent.vendor.VendorException {@code BAD_RESPONSE} for MP3, JSON or an unusable WAV, or when the
     *                                               answer held no audio at all (and nobody stopped it)
     */
    static void forward(VendorHttp http, int status, InputStream body, SpeechSynthesizer.AudioSink sink) {
        forward(http, status, sniff(http, status, body), sink);
    }

    /** {@link #forward(VendorHttp, int, InputStream, SpeechSynthesizer.AudioSink)} of a body already sniffed. */
    static void forward(VendorHttp http, int status, Sniffed body, SpeechSynthesizer.AudioSink sink) {
        if (forwarded(http, status, body, sink) == 0 && !Thread.currentThread().isInterrupted()) {
            throw http.badResponse(status, "no audio in the answer");
        }
    }

    /** Looks at the first bytes of {@code body} to tell what it holds. */
    static Sniffed sniff(VendorHttp http, int status, InputStream body) {
        try {
            byte[] head = new byte[SNIFF_SIZE];
            int filled = fill(body, head, 0, 4);
            Kind kind = kindOf(head, filled);
            if (kind == Kind.RAW_MULAW && filled >= 4 && mpegFrameLength(head, 0) > 0) {
                // Could be an MP3 frame; confirm with the next frame header before refusing it.
                int next = mpegFrameLength(head, 0);
                filled = fill(body, head, filled, Math.min(head.length, next + 4));
                if (filled >= next + 4 && mpegFrameLength(head, next) > 0) {
                    kind = Kind.MP3;
                }
            }
            return new Sniffed(kind, new SequenceInputStream(new ByteArrayInputStream(head, 0, filled), body));
        } catch (IOException e) {
            throw http.failure(e, true);
        }
    }

    static Kind kindOf(byte[] b, int n) {
        if (n >= 4 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F') {
            return Kind.WAV;
        }
        if (n >= 3 && b[0] == 'I' && b[1] == 'D' && b[2] == '3') {
            return Kind.MP3;
        }
        int i = skipSpace(b, 0, n);
        if (i < n && b[i] == '{') {
            int j = skipSpace(b, i + 1, n);
            if (j >= n || b[j] == '"' || b[j] == '}') {
                return Kind.JSON;
            }
        }
        return Kind.RAW_MULAW;
    }

    /**
     * The length of the MPEG audio frame whose header starts at {@code at}, or 0 when the bytes there are not a valid
     * header (sync, version, layer, bitrate, sample rate all checked; free-format frames count as not valid).
     */
    static int mpegFrameLength(byte[] b, int at) {
        if (at + 4 > b.length) {
            return 0;
        }
        int b1 = b[at + 1] & 0xFF;
        int b2 = b[at + 2] & 0xFF;
        if ((b[at] & 0xFF) != 0xFF || (b1 & 0xE0) != 0xE0) {
            return 0;
        }
        int version = (b1 >> 3) & 3;      // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
        int layer = (b1 >> 1) & 3;        // 1: Layer III, 2: Layer II, 3: Layer I, 0: reserved
        int bitrateIndex = b2 >> 4;
        int rateIndex = (b2 >> 2) & 3;
        int padding = (b2 >> 1) & 1;
        if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
            return 0;
        }
        boolean mpeg1 = version == 3;
        int[] rates = mpeg1 ? new int[] {44100, 48000, 32000}
                : version == 2 ? new int[] {22050, 24000, 16000} : new int[] {11025, 12000, 8000};
        int sampleRate = rates[rateIndex];
        int layerNumber = 4 - layer; // 1, 2 or 3
        int kbps = BITRATES[mpeg1 ? layerNumber - 1 : layerNumber == 1 ? 3 : 4][bitrateIndex];
        if (layerNumber == 1) {
            return (12 * kbps * 1000 / sampleRate + padding) * 4;
        }
        int perFrame = layerNumber == 3 && !mpeg1 ? 72 : 144;
        return perFrame * kbps * 1000 / sampleRate + padding;
    }

    // kbps by bitrate index: MPEG 1 Layer I, II, III; MPEG 2/2.5 Layer I; MPEG 2/2.5 Layers II and III.
    private static final int[][] BITRATES = {
            {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0},
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0},
            {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0},
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0},
            {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},
    };

    /** @return the number of mu-law bytes the sink accepted or was offered */
    private static long forwarded(VendorHttp http, int status, Sniffed body, SpeechSynthesizer.AudioSink sink) {
        try {
            return switch (body.kind()) {
                case MP3 -> throw http.badResponse(status, "MP3 audio instead of 8 kHz mu-law (MP3 is not decoded "
                                                           + "here and Twilio cannot play it)");
                case JSON -> throw http.badResponse(status, "JSON instead of audio: "
                        + http.errorDetail(new String(body.stream().readNBytes(4096), StandardCharsets.UTF_8)));
                case WAV -> forwardWav(http, status, body.stream(), sink);
                case RAW_MULAW -> copy(body.stream(), Long.MAX_VALUE, sink);
            };
        } catch (IOException e) {
            throw http.failure(e, true);
        }
    }

    private static long forwardWav(VendorHttp http, int status, InputStream wav, SpeechSynthesizer.AudioSink sink)
            throws IOException {
        Format format = skipToData(http, status, wav);
        if (format.sampleRate() == LINE_RATE) {
            return format.pcm16() ? copyPcm16(wav, format.length(), sink) : copy(wav, format.length(), sink);
        }
        // Another rate: resampling needs the whole signal, so read it (bounded), convert, then hand it on.
        long limit = Math.min(format.length(), MAX_RESAMPLED_BYTES + 1L);
        byte[] data = wav.readNBytes((int) limit);
        if (data.length > MAX_RESAMPLED_BYTES) {
            throw http.badResponse(status, "WAV audio at " + format.sampleRate() + " Hz longer than "
                                           + MAX_RESAMPLED_BYTES + " bytes");
        }
        short[] samples;
        if (format.pcm16()) {
            samples = new short[data.length / 2];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = (short) ((data[2 * i] & 0xFF) | data[2 * i + 1] << 8);
            }
        } else {
            samples = new short[data.length];
            MuLaw.decode(data, 0, data.length, samples);
        }
        short[] line = Resampler.resample(samples, samples.length, format.sampleRate(), LINE_RATE);
        long total = 0;
        for (int at = 0; at < line.length && !Thread.currentThread().isInterrupted(); at += READ_SIZE) {
            byte[] chunk = new byte[Math.min(READ_SIZE, line.length - at)];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = MuLaw.encode(line[at + i]);
            }
            total += chunk.length;
            if (!sink.accept(chunk, 0, chunk.length)) {
                break;
            }
        }
        return total;
    }

    private static int fill(InputStream in, byte[] buffer, int filled, int atLeast) throws IOException {
        while (filled < atLeast) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled;
    }

    private static int skipSpace(byte[] b, int from, int n) {
        int i = from;
        while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static long copy(InputStream in, long limit, SpeechSynthesizer.AudioSink sink) throws IOException {
        long total = 0;
        while (total < limit && !Thread.currentThread().isInterrupted()) {
            byte[] chunk = new byte[READ_SIZE];
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, limit - total));
            if (n < 0) {
                break;
            }
            total += n;
            if (n > 0 && !sink.accept(chunk, 0, n)) {
                break;
            }
        }
        return total;
    }

    private static long copyPcm16(InputStream in, long limit, SpeechSynthesizer.AudioSink sink) throws IOException {
        long consumed = 0;
        long produced = 0;
        int lowByte = -1; // a sample split across two reads
        byte[] pcm = new byte[READ_SIZE];
        while (consumed < limit && !Thread.currentThread().isInterrupted()) {
            int n = in.read(pcm, 0, (int) Math.min(pcm.length, limit - consumed));
            if (n < 0) {
                break;
            }
            consumed += n;
            byte[] mulaw = new byte[(n + (lowByte >= 0 ? 1 : 0)) / 2];
            int out = 0;
            for (int i = 0; i < n; i++) {
                int b = pcm[i] & 0xFF;
                if (lowByte < 0) {
                    lowByte = b;
                } else {
                    mulaw[out++] = MuLaw.encode((short) (lowByte | b << 8));
                    lowByte = -1;
                }
            }
            produced += out;
            if (out > 0 && !sink.accept(Arrays.copyOf(mulaw, out), 0, out)) {
                break;
            }
        }
        return produced;
    }

    private static Format skipToData(VendorHttp http, int status, InputStream wav) throws IOException {
        byte[] riff = wav.readNBytes(12);
        if (riff.length < 12 || !"WAVE".equals(new String(riff, 8, 4, StandardCharsets.US_ASCII))) {
            throw http.badResponse(status, "RIFF body is not a WAVE file");
        }
        Format fmt = null;
        while (true) {
            byte[] header = wav.readNBytes(8);
            if (header.length < 8) {
                throw http.badResponse(status, "WAV body ended before its data chunk");
            }
            String id = new String(header, 0, 4, StandardCharsets.US_ASCII);
            long size = uint32(header, 4);
            if (id.equals("data")) {
                if (fmt == null) {
                    throw http.badResponse(status, "WAV data chunk comes before its fmt chunk");
                }
                // Streamed WAVs often carry 0 or 0xFFFFFFFF as a placeholder size: then read to the end.
                boolean sized = size > 0 && size < 0xFFFFFFFFL;
                return new Format(fmt.pcm16(), fmt.sampleRate(), sized ? size : Long.MAX_VALUE);
            }
            if (size > MAX_HEADER_CHUNK) {
                throw http.badResponse(status, "WAV chunk '" + id + "' of " + size + " bytes before the audio");
            }
            byte[] content = wav.readNBytes((int) (size + (size & 1))); // chunks are padded to even sizes
            if (id.equals("fmt ")) {
                fmt = format(http, status, content);
            }
        }
    }

    /** Mono mu-law or 16-bit PCM at a plausible rate; throws for anything else. */
    private static Format format(VendorHttp http, int status, byte[] fmt) {
        if (fmt.length < 16) {
            throw http.badResponse(status, "WAV fmt chunk too short");
        }
        int format = uint16(fmt, 0);
        if (format == FORMAT_EXTENSIBLE && fmt.length >= 26) {
            format = uint16(fmt, 24); // the sub-format GUID starts with the real format tag
        }
        int channels = uint16(fmt, 2);
        long sampleRate = uint32(fmt, 4);
        int bits = uint16(fmt, 14);
        boolean rateOk = sampleRate >= 4000 && sampleRate <= 192_000;
        if (channels == 1 && rateOk && format == FORMAT_MULAW && bits == 8) {
            return new Format(false, (int) sampleRate, 0);
        }
        if (channels == 1 && rateOk && format == FORMAT_PCM && bits == 16) {
            return new Format(true, (int) sampleRate, 0);
        }
        throw http.badResponse(status, "WAV audio is format " + format + ", " + bits + " bit, " + sampleRate + " Hz, "
                + channels + " channel(s); need mono mu-law (7) or 16-bit PCM (1)");
    }

    private static int uint16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    private static long uint32(byte[] bytes, int at) {
        return (bytes[at] & 0xFFL) | (bytes[at + 1] & 0xFFL) << 8 | (bytes[at + 2] & 0xFFL) << 16
                | (bytes[at + 3] & 0xFFL) << 24;
    }

    private record Format(boolean pcm16, int sampleRate, long length) {
    }
}
