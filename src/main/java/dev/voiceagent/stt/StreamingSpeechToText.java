package dev.voiceagent.stt;

import java.util.function.Consumer;

/**
 * Opens live transcription sessions: one per call, fed the caller's audio as it arrives, answering with
 * {@link SpeechEvent}s while the caller talks. Implementations: Workers AI {@code @cf/deepgram/nova-3}
 * ({@link WorkersAiNova3}) and {@code @cf/deepgram/flux} ({@link WorkersAiFlux}).
 */
public interface StreamingSpeechToText {

    /**
     * Opens a session. Blocks the calling (virtual) thread until the vendor accepted the socket, at most the
     * client's connect timeout.
     *
     * @param label  names the session in logs and thread names (the call sid)
     * @param events receives every event, in order, on the session's reader thread; must not block
     * @throws dev.voiceagent.vendor.VendorException when the socket cannot be opened: 401/403
     *         ({@code UNAUTHORIZED}), 429, 5xx, timeout, network
     */
    SpeechStream open(String label, Consumer<SpeechEvent> events);

    /** The model id, e.g. {@code @cf/deepgram/nova-3}, for logs and metrics. */
    String model();
}
