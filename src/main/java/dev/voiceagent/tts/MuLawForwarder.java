package dev.voiceagent.tts;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;

import dev.voiceagent.audio.MuLaw;
import dev.voiceagent.vendor.VendorHttp;

/**
 * Hands a vendor's audio body to an {@link SpeechSynthesizer.AudioSink} as raw 8 kHz mono mu-law while it streams in.
 * Twilio plays container header bytes as a loud click, so a RIFF/WAVE header is never forwarded: the data chunk is
 * found and, if it holds 16-bit PCM at 8 kHz, encoded to mu-law. Any other WAV format is {@code BAD_RESPONSE}.
 * Each read goes to the sink in a fresh array, so a sink may keep what it is given.
 */
final class MuLawForwarder {

    private static final int READ_SIZE = 2048;
    private static final int MAX_HEADER_CHUNK = 64 * 1024;
    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_MULAW = 7;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;

    private MuLawForwarder() {
    }

    /**
     * Forwards until the body ends, the sink returns {@code false} or the thread is interrupted.
     *
     * @throws dev.voiceagent.vendor.VendorException when the answer held no audio at all (and nobody stopped it)
     */
    static void forward(VendorHttp http, int status, InputStream body, SpeechSynthesizer.AudioSink sink) {
        if (forwarded(http, status, body, sink) == 0 && !Thread.currentThread().isInterrupted()) {
            throw http.badResponse(status, "no audio in the answer");
        }
    }

    /** @return the number of mu-law bytes the sink accepted or was offered */
    private static long forwarded(VendorHttp http, int status, InputStream body, SpeechSynthesizer.AudioSink sink) {
        try {
            byte[] first = new byte[READ_SIZE];
            int filled = 0;
            while (filled < 4) { // enough to recognise "RIFF"; usually the first read already has far more
                int n = body.read(first, filled, first.length - filled);
                if (n < 0) {
                    break;
                }
                filled += n;
            }
            if (filled >= 4 && "RIFF".equals(new String(first, 0, 4, StandardCharsets.US_ASCII))) {
                InputStream wav = new SequenceInputStream(new ByteArrayInputStream(first, 0, filled), body);
                DataChunk data = skipToData(http, status, wav);
                return data.pcm16() ? copyPcm16(wav, data.length(), sink) : copy(wav, data.length(), sink);
            }
            if (filled == 0) {
                return 0;
            }
            if (!sink.accept(first, 0, filled)) {
                return filled;
            }
            return filled + copy(body, Long.MAX_VALUE, sink);
        } catch (IOException e) {
            throw http.failure(e, true);
        }
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
            if (out > 0 && !sink.accept(mulaw, 0, out)) {
                break;
            }
        }
        return produced;
    }

    private static DataChunk skipToData(VendorHttp http, int status, InputStream wav) throws IOException {
        byte[] riff = wav.readNBytes(12);
        if (riff.length < 12 || !"WAVE".equals(new String(riff, 8, 4, StandardCharsets.US_ASCII))) {
            throw http.badResponse(status, "RIFF body is not a WAVE file");
        }
        Boolean pcm16 = null;
        while (true) {
            byte[] header = wav.readNBytes(8);
            if (header.length < 8) {
                throw http.badResponse(status, "WAV body ended before its data chunk");
            }
            String id = new String(header, 0, 4, StandardCharsets.US_ASCII);
            long size = uint32(header, 4);
            if (id.equals("data")) {
                if (pcm16 == null) {
                    throw http.badResponse(status, "WAV data chunk comes before its fmt chunk");
                }
                // Streamed WAVs often carry 0 or 0xFFFFFFFF as a placeholder size: then read to the end.
                boolean sized = size > 0 && size < 0xFFFFFFFFL;
                return new DataChunk(pcm16, sized ? size : Long.MAX_VALUE);
            }
            if (size > MAX_HEADER_CHUNK) {
                throw http.badResponse(status, "WAV chunk '" + id + "' of " + size + " bytes before the audio");
            }
            byte[] content = wav.readNBytes((int) (size + (size & 1))); // chunks are padded to even sizes
            if (id.equals("fmt ")) {
                pcm16 = isPcm16(http, status, content);
            }
        }
    }

    /** True for 16-bit PCM, false for mu-law; throws for anything Twilio cannot take after encoding. */
    private static boolean isPcm16(VendorHttp http, int status, byte[] fmt) {
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
        if (channels == 1 && sampleRate == 8000 && format == FORMAT_MULAW && bits == 8) {
            return false;
        }
        if (channels == 1 && sampleRate == 8000 && format == FORMAT_PCM && bits == 16) {
            return true;
        }
        throw http.badResponse(status, "WAV audio is format " + format + ", " + bits + " bit, " + sampleRate + " Hz, "
                + channels + " channel(s); need 8000 Hz mono mu-law (7) or 16-bit PCM (1)");
    }

    private static int uint16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    private static long uint32(byte[] bytes, int at) {
        return (bytes[at] & 0xFFL) | (bytes[at + 1] & 0xFFL) << 8 | (bytes[at + 2] & 0xFFL) << 16
                | (bytes[at + 3] & 0xFFL) << 24;
    }

    private record DataChunk(boolean pcm16, long length) {
    }
}
