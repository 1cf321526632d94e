package dev.voiceagent.stt;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;

/**
 * Live transcription with Workers AI {@code @cf/deepgram/nova-3} over its WebSocket (Deepgram's v1 live protocol):
 * <pre>
 * GET wss://{apiBase host and path}/accounts/{id}/ai/run/@cf/deepgram/nova-3?encoding=mulaw&amp;sample_rate=8000
 *     &amp;channels=1&amp;language=en&amp;interim_results=true&amp;endpointing=300&amp;utterance_end_ms=1000
 *     &amp;vad_events=true&amp;smart_format=true&amp;punctuate=true           Authorization: Bearer {token}
 * → binary: raw 8 kHz mu-law as Twilio sends it; text: {"type":"Finalize"} {"type":"KeepAlive"} {"type":"CloseStream"}
 * ← {"type":"Results","is_final":…,"speech_final":…,"from_finalize":…,"channel":{"alternatives":[{"transcript":…}]}}
 *   {"type":"SpeechStarted"} {"type":"UtteranceEnd"} {"type":"Metadata"} (ignored), unknown types (ignored)
 * </pre>
 * {@code Results} become {@link SpeechEvent.Words} (never cumulative); an empty transcript is reported only when it
 * answers a {@code Finalize} or is {@code speech_final}, so the caller of {@link SpeechStream#finalizeNow()} always
 * gets an answer. A {@code KeepAlive} goes out whenever no audio was sent for about 3 s (Deepgram closes a socket
 * idle for 10 s with {@code NET-0001}). Thread-safe; one {@link HttpClient} (virtual threads) serves all sessions.
 * See {@link VendorSocket} for the sending, receiving and closing contract.
 */
public final class WorkersAiNova3 implements StreamingSpeechToText {

    /** The model id. */
    public static final String MODEL = "@cf/deepgram/nova-3";
    /** Default interval of {@code KeepAlive} messages while no audio flows (Deepgram: every 3-5 s). */
    static final Duration KEEP_ALIVE_EVERY = Duration.ofSeconds(3);

    private final CloudflareAccount account;
    private final Duration connectTimeout;
    private final Duration keepAliveEvery;
    private final URI uri;
    private final HttpClient http;

    /**
     * @param language       BCP-47 code, e.g. {@code en}; blank means {@code en}
     * @param endpointing    silence after speech that makes a result {@code speech_final} (at least 10 ms)
     * @param utteranceEnd   gap after the last final word that sends {@code UtteranceEnd}
     * @param connectTimeout bound on opening the socket (TCP, TLS and the handshake answer)
     */
    public WorkersAiNova3(CloudflareAccount account, String language, Duration endpointing, Duration utteranceEnd,
                          Duration connectTimeout) {
        this(account, language, endpointing, utteranceEnd, connectTimeout, KEEP_ALIVE_EVERY);
    }

    /** As the public constructor, with the {@code KeepAlive} interval (tests shorten it). */
    WorkersAiNova3(CloudflareAccount account, String language, Duration endpointing, Duration utteranceEnd,
                   Duration connectTimeout, Duration keepAliveEvery) {
        this.account = Objects.requireNonNull(account, "account");
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        this.keepAliveEvery = positive(keepAliveEvery, "keepAliveEvery");
        if (positive(endpointing, "endpointing").toMillis() < 10) {
            throw new IllegalArgumentException("endpointing must be at least 10 ms: " + endpointing);
        }
        positive(utteranceEnd, "utteranceEnd");
        String lang = language == null || language.isBlank() ? "en" : language.strip();
        this.uri = StreamingUrl.of(account.apiBase(), account.runPath(MODEL), query(lang, endpointing, utteranceEnd));
        this.http = VendorSocket.client(connectTimeout);
    }

    /** The socket URL this client opens (no credentials in it). */
    URI uri() {
        return uri;
    }

    @Override
    public SpeechStream open(String label, Consumer<SpeechEvent> events) {
        if (!account.configured()) {
            throw new VendorException(VendorSocket.VENDOR, VendorException.Kind.UNCONFIGURED, 0,
                    "Cloudflare account is not configured");
        }
        return VendorSocket.open(http, uri, account.apiToken(), connectTimeout, label, VendorSocket.WireAudio.MULAW,
                keepAliveEvery, true, WorkersAiNova3::decode, events);
    }

    @Override
    public String model() {
        return MODEL;
    }

    static Map<String, String> query(String language, Duration endpointing, Duration utteranceEnd) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("encoding", "mulaw");
        query.put("sample_rate", "8000");
        query.put("channels", "1");
        query.put("language", language);
        query.put("interim_results", "true");
        query.put("endpointing", Long.toString(endpointing.toMillis()));
        query.put("utterance_end_ms", Long.toString(utteranceEnd.toMillis()));
        query.put("vad_events", "true");
        query.put("smart_format", "true");
        query.put("punctuate", "true");
        return query;
    }

    /** One nova-3 message to an event, or {@code null} to ignore it. */
    static SpeechEvent decode(JsonNode message) {
        return switch (message.path("type").asText("")) {
            case "Results" -> {
                JsonNode transcript = message.path("channel").path("alternatives").path(0).path("transcript");
                if (!transcript.isMissingNode() && !transcript.isTextual()) {
                    throw new IllegalArgumentException("Results transcript is not text");
                }
                String text = transcript.asText("").strip();
                boolean isFinal = message.path("is_final").asBoolean(false);
                boolean speechFinal = message.path("speech_final").asBoolean(false);
                boolean fromFinalize = message.path("from_finalize").asBoolean(false);
                yield text.isEmpty() && !speechFinal && !fromFinalize
                        ? null
                        : new SpeechEvent.Words(text, isFinal, speechFinal, fromFinalize, false);
            }
            case "SpeechStarted" -> new SpeechEvent.SpeechStarted();
            case "UtteranceEnd" -> new SpeechEvent.UtteranceEnd();
            default -> null; // Metadata, and types this client does not know
        };
    }

    private static Duration positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }
}
