package dev.voiceagent.observe;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Timer;

/**
 * The server's meters, served in Prometheus format at {@code /observe/metrics}. Names use dots; the
 * Prometheus output turns them into underscores ({@code voice_calls_active}).
 */
public final class CallMetrics {

    /** Stages of a turn whose latency is recorded. */
    public enum Stage {
        END_OF_SPEECH("eos"), STT("stt"), LLM_FIRST_TOKEN("llm_first_token"), TTS_FIRST_BYTE("tts_first_byte"),
        VOICE_TO_VOICE("voice_to_voice"), GREETING("greeting"),
        /** ConversationRelay: from the caller's prompt arriving to the first token of the answer sent to Twilio. */
        RELAY_FIRST_TOKEN("relay_first_token");

        private final String tag;

        Stage(String tag) {
            this.tag = tag;
        }
    }

    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();

    public CallMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.getOrCreate(Gauge.builder("voice.calls.active", (Supplier<Integer>) active::get)
                                     .description("Calls with an open media stream"));
    }

    /** Meters on Helidon's global registry (the one {@code /observe/metrics} serves). */
    public static CallMetrics global() {
        return new CallMetrics(Metrics.globalRegistry());
    }

    public void callStarted() {
        active.incrementAndGet();
        counter("voice.calls.started", "Calls whose media stream started").increment();
    }

    public void callEnded(String reason) {
        active.decrementAndGet();
        registry.getOrCreate(Counter.builder("voice.calls.ended").description("Calls ended, by reason")
                                     .tags(Metrics.tags("reason", reason))).increment();
    }

    /** A call the voice webhook turned away: {@code capacity} (the instance's call cap) or {@code draining}. */
    public void callRejected(String reason) {
        registry.getOrCreate(Counter.builder("voice.calls.rejected").description("Calls refused by the voice webhook, by reason")
                                     .tags(Metrics.tags("reason", reason))).increment();
    }

    public int activeCalls() {
        return active.get();
    }

    public void turn() {
        counter("voice.turns", "Caller turns answered").increment();
    }

    public void bargeIn() {
        counter("voice.barge_ins", "Times the caller interrupted the agent").increment();
    }

    /** How a speculation ended: used, checked (same words), regenerated, or discarded. */
    public void speculation(String outcome) {
        registry.getOrCreate(Counter.builder("voice.speculations").description("Speculative answers, by outcome")
                                     .tags(Metrics.tags("outcome", outcome))).increment();
    }

    /** One attempt at after-call work: {@code target} extraction/gohighlevel/webhook; delivered, retry or failed. */
    public void afterCall(String target, String outcome) {
        registry.getOrCreate(Counter.builder("voice.after_call").description("After-call work attempts, by target and outcome")
                                     .tags(Metrics.tags("target", target, "outcome", outcome))).increment();
    }

    /** Vendor requests one answered turn cost, speculations included (compare with voice.turns). */
    public void turnRequests(int stt, int llm) {
        registry.getOrCreate(Counter.builder("voice.turn.requests").description("STT and LLM requests made for turns")
                                     .tags(Metrics.tags("vendor", "stt"))).increment(stt);
        registry.getOrCreate(Counter.builder("voice.turn.requests").description("STT and LLM requests made for turns")
                                     .tags(Metrics.tags("vendor", "llm"))).increment(llm);
    }

    /** A live speech-to-text socket dropped and is being reopened. */
    public void sttReconnect() {
        counter("voice.stt.reconnects", "Live speech-to-text sockets reopened after a drop").increment();
    }

    /** A call gave up its live speech-to-text socket and transcribes in batch for the rest of the call. */
    public void sttFallback() {
        counter("voice.stt.fallbacks", "Calls that fell back from live to batch speech-to-text").increment();
    }

    /** What listening to one answered turn cost on {@code recognizer}: streamed audio and Finalize messages. */
    public void sttTurn(String recognizer, double audioSeconds, int finalizes) {
        registry.getOrCreate(Counter.builder("voice.stt.audio.milliseconds").description("Caller audio streamed to live speech-to-text")
                                     .tags(Metrics.tags("recognizer", recognizer))).increment(Math.round(audioSeconds * 1000));
        registry.getOrCreate(Counter.builder("voice.stt.finalizes").description("Finalize messages sent to live speech-to-text")
                                     .tags(Metrics.tags("recognizer", recognizer))).increment(finalizes);
    }

    /** An input for a call thread was dropped because its inbox was full (a stalled call). */
    public void droppedInput() {
        counter("voice.call.inputs.dropped", "Inputs dropped because a call's inbox was full").increment();
    }

    public void rejectedSocket(String why) {
        registry.getOrCreate(Counter.builder("voice.sockets.rejected").description("Media sockets refused or closed")
                                     .tags(Metrics.tags("why", why))).increment();
    }

    public void malformedFrame() {
        counter("voice.frames.malformed", "Inbound Media Streams frames that could not be used").increment();
    }

    public void vendorError(String vendor, String kind) {
        registry.getOrCreate(Counter.builder("voice.vendor.errors").description("Vendor failures by vendor and kind")
                                     .tags(Metrics.tags("vendor", vendor, "kind", kind))).increment();
    }

    /** A sentence the fallback voice spoke, by why ElevenLabs did not (see {@code tts.FallbackReason}). */
    public void ttsFallback(String reason) {
        registry.getOrCreate(Counter.builder("voice.tts.fallbacks")
                                     .description("Sentences spoken by the fallback voice, by why")
                                     .tags(Metrics.tags("reason", reason))).increment();
    }

    /** A tool call finished: {@code outcome} is {@code result}, {@code end_call}, {@code transfer} or a failure's tag. */
    public void toolCall(String tool, String outcome) {
        registry.getOrCreate(Counter.builder("voice.tool.calls").description("Tool calls made by the model, by tool and outcome")
                                     .tags(Metrics.tags("tool", tool, "outcome", outcome))).increment();
    }

    /** A ConversationRelay {@code error} message from Twilio. */
    public void relayError() {
        counter("voice.relay.errors", "Error messages Twilio sent on ConversationRelay sockets").increment();
    }

    /** A ConversationRelay session outcome from the {@code <Connect action>} callback, by status. */
    public void relaySession(String status, boolean handoff) {
        registry.getOrCreate(Counter.builder("voice.relay.sessions").description("ConversationRelay session outcomes")
                                     .tags(Metrics.tags("status", status, "handoff", Boolean.toString(handoff)))).increment();
    }

    /**
     * The caller heard a hole of {@code millis} in the agent's audio, by cause: {@code words_late} (the model or a
     * tool had not given the next words), {@code speech_late} (the synthesizer had not delivered) or {@code sent_late}
     * (the audio was ready; the server sent it late).
     */
    public void stutter(String cause, long millis) {
        registry.getOrCreate(Counter.builder("voice.playout.stutters").description("Holes in the agent's audio, by cause")
                                     .tags(Metrics.tags("cause", cause))).increment();
        registry.getOrCreate(Counter.builder("voice.playout.stutter.milliseconds")
                                     .description("Time the caller heard nothing in the middle of a reply, by cause")
                                     .tags(Metrics.tags("cause", cause))).increment(millis);
    }

    public void stage(Stage stage, Duration took) {
        registry.getOrCreate(Timer.builder("voice.turn.latency").description("Latency of each stage of a turn")
                                     .buckets(LATENCY_BUCKETS)
                                     .tags(Metrics.tags("stage", stage.tag))).record(took);
    }

    /** Histogram buckets (Prometheus {@code le}) spanning what matters in a phone conversation. */
    private static final Duration[] LATENCY_BUCKETS = java.util.stream.LongStream
            .of(10, 25, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1250, 1500, 2000, 3000, 5000)
            .mapToObj(Duration::ofMillis).toArray(Duration[]::new);

    private Counter counter(String name, String description) {
        return registry.getOrCreate(Counter.builder(name).description(description));
    }
}
