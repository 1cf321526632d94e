package dev.voiceagent.stt;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;

/**
 * Live transcription with turn detection: Workers AI {@code @cf/deepgram/flux} over its WebSocket (Deepgram's v2
 * protocol):
 * <pre>
 * GET wss://{apiBase host and path}/accounts/{id}/ai/run/@cf/deepgram/flux?encoding=linear16&amp;sample_rate=8000
 *     &amp;eot_threshold=0.7&amp;eager_eot_threshold=0.5&amp;eot_timeout_ms=5000       Authorization: Bearer {token}
 * → binary: the caller's mu-law decoded to 16-bit little-endian PCM at 8 kHz (Flux on Workers AI takes linear16 only)
 *   text: {"type":"CloseStream"} when closing (Flux documents no KeepAlive and no Finalize)
 * ← {"type":"TurnInfo","event":"StartOfTurn"|"Update"|"EagerEndOfTurn"|"TurnResumed"|"EndOfTurn","transcript":…}
 *   {"type":"Connected"} (ignored), {"type":"Error",…} (drops the socket); a message without type is a TurnInfo
 * </pre>
 * {@code Update} becomes a cumulative {@link SpeechEvent.Words} (the whole turn so far, never final; empty ones are
 * skipped). {@link SpeechStream#finalizeNow()} does nothing: Flux decides turns itself. When the handshake is refused
 * with 400, the socket is opened once more without the optional {@code eot_*} parameters, which one third-party
 * report says can break it. Thread-safe; see {@link VendorSocket} for the transport contract.
 */
public final class WorkersAiFlux implements StreamingSpeechToText {

    /** The model id. */
    public static final String MODEL = "@cf/deepgram/flux";

    private static final Logger LOG = Logger.getLogger(WorkersAiFlux.class.getName());

    private final CloudflareAccount account;
    private final Duration connectTimeout;
    private final URI uri;
    private final URI plainUri;
    private final HttpClient http;

    /**
     * @param eotThreshold      end-of-turn confidence that finishes a turn (Workers AI schema: 0.5-0.9)
     * @param eagerEotThreshold confidence that sends {@code EagerEndOfTurn} (0.3-0.9, at most {@code eotThreshold});
     *                          {@link Double#NaN} leaves it out, which turns eager events off
     * @param eotTimeout        silence after speech that finishes a turn whatever the confidence
     * @param connectTimeout    bound on opening the socket (each of at most two attempts)
     */
    public WorkersAiFlux(CloudflareAccount account, double eotThreshold, double eagerEotThreshold, Duration eotTimeout,
                         Duration connectTimeout) {
        this.account = Objects.requireNonNull(account, "account");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
        }
        if (!(eotThreshold >= 0.5 && eotThreshold <= 1.0)) {
            throw new IllegalArgumentException("eotThreshold must be within 0.5..1.0: " + eotThreshold);
        }
        if (!Double.isNaN(eagerEotThreshold) && !(eagerEotThreshold >= 0.3 && eagerEotThreshold <= eotThreshold)) {
            throw new IllegalArgumentException("eagerEotThreshold must be within 0.3..eotThreshold: " + eagerEotThreshold);
        }
        Objects.requireNonNull(eotTimeout, "eotTimeout");
        if (eotTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("eotTimeout must be positive: " + eotTimeout);
        }
        String path = account.runPath(MODEL);
        this.uri = StreamingUrl.of(account.apiBase(), path, query(eotThreshold, eagerEotThreshold, eotTimeout));
        this.plainUri = StreamingUrl.of(account.apiBase(), path, baseQuery());
        this.http = VendorSocket.client(connectTimeout);
    }

    /** The socket URL this client opens first (no credentials in it). */
    URI uri() {
        return uri;
    }

    /** The URL of the second attempt after a 400: without the optional parameters. */
    URI plainUri() {
        return plainUri;
    }

    @Override
    public SpeechStream open(String label, Consumer<SpeechEvent> events) {
        if (!account.configured()) {
            throw new VendorException(VendorSocket.VENDOR, VendorException.Kind.UNCONFIGURED, 0,
                    "Cloudflare account is not configured");
        }
        try {
            return open(uri, label, events);
        } catch (VendorException e) {
            if (e.status() != 400) {
                throw e;
            }
            LOG.info(() -> "stt " + label + ": flux refused the handshake with 400; retrying without eot_* parameters");
            return open(plainUri, label, events);
        }
    }

    private SpeechStream open(URI target, String label, Consumer<SpeechEvent> events) {
        return VendorSocket.open(http, target, account.apiToken(), connectTimeout, label,
                VendorSocket.WireAudio.LINEAR16, null, false, WorkersAiFlux::decode, events);
    }

    @Override
    public String model() {
        return MODEL;
    }

    private static Map<String, String> baseQuery() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("encoding", "linear16");
        query.put("sample_rate", "8000");
        return query;
    }

    static Map<String, String> query(double eotThreshold, double eagerEotThreshold, Duration eotTimeout) {
        Map<String, String> query = baseQuery();
        query.put("eot_threshold", decimal(eotThreshold));
        if (!Double.isNaN(eagerEotThreshold)) {
            query.put("eager_eot_threshold", decimal(eagerEotThreshold));
        }
        query.put("eot_timeout_ms", Long.toString(eotTimeout.toMillis()));
        return query;
    }

    private static String decimal(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /** One Flux message to an event, or {@code null} to ignore it. */
    static SpeechEvent decode(JsonNode message) {
        String type = message.path("type").asText("TurnInfo");
        return switch (type) {
            case "TurnInfo" -> turnEvent(message);
            case "Error" -> new SpeechEvent.Dropped("flux error " + message.path("code").asText("?") + ": "
                    + message.path("description").asText(message.path("message").asText("")));
            default -> null; // Connected, and types this client does not know
        };
    }

    private static SpeechEvent turnEvent(JsonNode message) {
        JsonNode transcriptNode = message.path("transcript");
        if (!transcriptNode.isMissingNode() && !transcriptNode.isNull() && !transcriptNode.isTextual()) {
            throw new IllegalArgumentException("TurnInfo transcript is not text");
        }
        String transcript = transcriptNode.asText("").strip();
        return switch (message.path("event").asText("")) {
            case "StartOfTurn" -> new SpeechEvent.SpeechStarted();
            case "Update" -> transcript.isEmpty() ? null : new SpeechEvent.Words(transcript, false, false, false, true);
            case "EagerEndOfTurn" -> new SpeechEvent.EagerEndOfTurn(transcript);
            case "TurnResumed" -> new SpeechEvent.TurnResumed();
            case "EndOfTurn" -> new SpeechEvent.EndOfTurn(transcript);
            default -> null;
        };
    }
}
