package dev.voiceagent.fakes;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fake ElevenLabs streaming text-to-speech API (https://elevenlabs.io/docs/api-reference/text-to-speech/stream).
 * <p>
 * {@link #TTS}: {@code POST /v1/text-to-speech/{voice_id}/stream?output_format=ulaw_8000} with header
 * {@code xi-api-key} and {@code {"text":…,"model_id":…,"voice_settings":{…}}} answers 200,
 * {@code Content-Type: audio/basic}, chunked raw 8 kHz mu-law (no header) of a 440 Hz tone at -12 dBFS lasting
 * {@link #audioMillisFor(String)}, in 100 ms (800 byte) chunks.
 * <p>
 * Errors as documented: 401 {@code {"detail":{"status":"invalid_api_key","message":"Invalid API key"}}}, 422
 * {@code {"detail":[{"loc":[…],"msg":…,"type":…}]}} (FastAPI validation), 429 {@code detail.status}
 * {@code too_many_concurrent_requests}, 400 {@code max_character_limit_exceeded}, 404 {@code voice_not_found}; 5xx
 * bodies are not documented and use {@code detail.status} {@code internal_server_error} (unconfirmed). Unknown paths
 * get FastAPI's {@code {"detail":"Not Found"}}.
 * <p>
 * Stricter than the real API on purpose: a missing or other {@code output_format} (the API would default to MP3,
 * which Twilio plays as noise) is a 422.
 */
public final class FakeElevenLabs extends FakeVendorServer {

    /** Route of the streaming TTS endpoint. */
    public static final String TTS = "tts";

    private static final Pattern TTS_PATH = Pattern.compile("/v1/text-to-speech/([^/]+)/stream");
    private static final int CHUNK_BYTES = 800; // 100 ms of 8 kHz mu-law

    private final String apiKey;
    private final ObjectMapper json = new ObjectMapper();
    private final List<TtsCall> ttsCalls = new CopyOnWriteArrayList<>();
    private volatile int msPerChar = 40;
    private volatile Duration firstByteLatency = Duration.ZERO;
    private volatile Duration chunkInterval = Duration.ZERO;

    public FakeElevenLabs(String apiKey) {
        this(apiKey, 0);
    }

    /** A fake on a fixed loopback {@code port} (0: any free one). */
    public FakeElevenLabs(String apiKey, int port) {
        super(Set.of(TTS), port);
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        start();
    }

    /** Audio length per character of text; default 40 ms (200 ms at least). */
    public void msPerChar(int millis) {
        this.msPerChar = millis;
    }

    /** Pause between the response headers and the first audio chunk; default zero. */
    public void firstByteLatency(Duration latency) {
        this.firstByteLatency = Objects.requireNonNull(latency, "latency");
    }

    /** Pause between audio chunks; default zero. */
    public void chunkInterval(Duration interval) {
        this.chunkInterval = Objects.requireNonNull(interval, "interval");
    }

    /** How long the audio for {@code text} lasts: {@code msPerChar * length}, at least 200 ms. */
    public int audioMillisFor(String text) {
        return Math.max(200, msPerChar * text.length());
    }

    /** How many mu-law bytes the audio for {@code text} has (8 per millisecond). */
    public int audioBytesFor(String text) {
        return audioMillisFor(text) * 8;
    }

    /** Valid TTS requests, in arrival order. */
    public List<TtsCall> ttsCalls() {
        return List.copyOf(ttsCalls);
    }

    @Override
    protected String routeOf(String method, String path) {
        return method.equals("POST") && TTS_PATH.matcher(path).matches() ? TTS : null;
    }

    @Override
    protected void handle(String route, Exchange exchange) throws IOException {
        FakeVendorServer.ReceivedRequest request = exchange.request();
        if (!apiKey.equals(request.header("xi-api-key"))) {
            exchange.sendJson(401, errorBody(route, 401));
            return;
        }
        String outputFormat = queryParam(request.uri().getRawQuery(), "output_format");
        if (outputFormat == null) {
            exchange.sendJson(422, validationError("query", "output_format", "Field required", "missing"));
            return;
        }
        if (!outputFormat.equals("ulaw_8000")) {
            exchange.sendJson(422, validationError("query", "output_format",
                    "Input should be 'ulaw_8000' (the only format Twilio plays)", "enum"));
            return;
        }
        JsonNode body;
        try {
            body = json.readTree(request.body());
        } catch (IOException e) {
            exchange.sendJson(422, validationError("body", null, "JSON decode error", "json_invalid"));
            return;
        }
        if (body == null || !body.path("text").isTextual()) {
            exchange.sendJson(422, validationError("body", "text", "Field required", "missing"));
            return;
        }
        Matcher path = TTS_PATH.matcher(request.uri().getRawPath());
        String voiceId = path.matches() ? path.group(1) : "";
        String text = body.path("text").asText();
        if (isRecording()) {
            ttsCalls.add(new TtsCall(voiceId, text, body.path("model_id").asText("eleven_multilingual_v2"),
                    outputFormat, body));
        }
        byte[] audio = TestAudio.toneMuLaw(audioMillisFor(text));
        try (OutputStream out = exchange.startStream(200, "audio/basic")) {
            exchange.pause(firstByteLatency);
            for (int at = 0; at < audio.length; at += CHUNK_BYTES) {
                if (at > 0) {
                    exchange.pause(chunkInterval);
                }
                out.write(audio, at, Math.min(CHUNK_BYTES, audio.length - at));
                out.flush();
            }
        }
    }

    @Override
    protected String errorBody(String route, int status) {
        return switch (status) {
            case 400 -> detail("max_character_limit_exceeded", "Text is too long for this model.");
            case 401 -> detail("invalid_api_key", "Invalid API key");
            case 404 -> detail("voice_not_found", "A voice with the voice_id was not found.");
            case 422 -> validationError("body", "text", "Field required", "missing");
            case 429 -> detail("too_many_concurrent_requests",
                    "Too many concurrent requests. Your plan allows fewer requests at the same time.");
            default -> status >= 500
                    ? detail("internal_server_error", "An internal server error occurred.")
                    : detail("bad_request", "The request could not be processed.");
        };
    }

    @Override
    protected void notFound(Exchange exchange) throws IOException {
        exchange.sendJson(404, "{\"detail\":\"Not Found\"}");
    }

    private String detail(String status, String message) {
        ObjectNode root = json.createObjectNode();
        root.putObject("detail").put("status", status).put("message", message);
        return root.toString();
    }

    private String validationError(String where, String field, String message, String type) {
        ObjectNode root = json.createObjectNode();
        ObjectNode error = root.putArray("detail").addObject();
        ArrayNode location = error.putArray("loc").add(where);
        if (field != null) {
            location.add(field);
        }
        error.put("msg", message).put("type", type);
        return root.toString();
    }

    private static String queryParam(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (key.equals(name)) {
                return equals < 0 ? "" : java.net.URLDecoder.decode(pair.substring(equals + 1),
                        java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /**
     * One valid TTS request.
     *
     * @param modelId the {@code model_id} sent, or the API default {@code eleven_multilingual_v2}
     * @param body    the whole JSON body
     */
    public record TtsCall(String voiceId, String text, String modelId, String outputFormat, JsonNode body) {
    }
}
