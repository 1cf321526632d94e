package dev.voiceagent.llm;

/** A chat model that streams its reply. Implementations block the calling (virtual) thread. */
public interface LanguageModel {

    /**
     * Streams the reply to {@code request}, handing each text delta to {@code sink} as it arrives, and says how the
     * reply ended: in words ({@link ChatResult.Answered}), stopped by the sink or an interrupt
     * ({@link ChatResult.Stopped}), or asking for tools ({@link ChatResult.ToolCalls}, only when the request offers
     * tools). When {@code sink} returns {@code false} the underlying response is closed at once. Interrupting the
     * thread also ends the stream.
     *
     * @throws dev.voiceagent.vendor.VendorException when the vendor fails, including a stream cut midway
     */
    ChatResult stream(ChatRequest request, TokenSink sink);

    /** Receives text deltas; returns {@code false} to stop the stream. */
    @FunctionalInterface
    interface TokenSink {
        boolean accept(String delta);
    }
}
