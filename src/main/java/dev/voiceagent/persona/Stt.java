package dev.voiceagent.persona;

import java.util.Locale;

/**
 * Which speech-to-text a persona listens with ({@code stt.model} in the personas file).
 *
 * @param model {@link #NOVA3} (live transcription, our own turn timing; the default), {@link #FLUX} (live, the
 *              model decides when a turn ends), or a Whisper model id (batch transcription of each finished turn,
 *              with the server's {@code STT_MODEL})
 */
public record Stt(String model) {

    /** Workers AI's streaming Deepgram nova-3. */
    public static final String NOVA3 = "@cf/deepgram/nova-3";
    /** Workers AI's conversational Deepgram Flux. */
    public static final String FLUX = "@cf/deepgram/flux";

    public static Stt defaults() {
        return new Stt(NOVA3);
    }

    /** Whether the model transcribes while the caller talks (a WebSocket per call). */
    public boolean streaming() {
        return model.equals(NOVA3) || model.equals(FLUX);
    }

    /** Whether {@code model} is one this server can listen with. */
    static boolean known(String model) {
        return model.equals(NOVA3) || model.equals(FLUX) || model.toLowerCase(Locale.ROOT).startsWith("@cf/openai/whisper");
    }
}
