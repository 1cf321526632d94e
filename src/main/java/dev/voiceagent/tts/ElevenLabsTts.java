package dev.voiceagent.tts;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.vendor.VendorException;
import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * Streamed speech from ElevenLabs (https://elevenlabs.io/docs/api-reference/text-to-speech/stream).
 * <pre>
 * POST {apiBase}/v1/text-to-speech/{voice_id}/stream?output_format=ulaw_8000     xi-api-key: {key}
 * {"text":"…","model_id":"eleven_flash_v2_5",
 *  "voice_settings":{"stability":0.5,"similarity_boost":0.75,"style":0,"use_speaker_boost":true,"speed":1.0},
 *  "previous_text":"…"}
 * 200: chunked raw 8 kHz mu-law, no header
 * 401 {"detail":{"status":"invalid_api_key","message":"…"}}   429 detail.status too_many_concurrent_requests|system_busy
 * 422 {"detail":[{"loc":["body","text"],"msg":"Field required","type":"missing"}]}
 * </pre>
 * Bytes reach the sink as each read returns them. A RIFF header, should one ever come, is skipped.
 * {@code timeout} bounds the connect, the wait for the first byte and each later gap. No retries (apart from
 * {@link VendorHttp}'s pooled-connection repair).
 */
public final class ElevenLabsTts implements SpeechSynthesizer {

    /** The public API root. */
    public static final URI DEFAULT_API_BASE = URI.create("https://api.elevenlabs.io");

    private static final Pattern VOICE_ID = Pattern.compile("[A-Za-z0-9_-]+");
    private static final HeaderName API_KEY_HEADER = HeaderNames.create("xi-api-key");

    private final String apiBase;
    private final String apiKey;
    private final VendorHttp http;

    public ElevenLabsTts(URI apiBase, String apiKey, Duration timeout) {
        String base = Objects.requireNonNull(apiBase, "apiBase").toString();
        this.apiBase = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.apiKey = apiKey == null ? "" : apiKey.strip();
        Objects.requireNonNull(timeout, "timeout");
        this.http = new VendorHttp("elevenlabs", VendorHttp.Resend.UNANSWERED, timeout, timeout, this.apiKey);
    }

    @Override
    public void synthesize(SpeechRequest request, AudioSink sink) {
        if (apiKey.isEmpty()) {
            throw http.unconfigured("ElevenLabs API key");
        }
        if (request.text().isBlank()) {
            return; // nothing to say; the API would answer 400
        }
        Voice voice = request.voice();
        if (!VOICE_ID.matcher(voice.voiceId()).matches()) {
            throw new IllegalArgumentException("not an ElevenLabs voice id: " + voice.voiceId());
        }
        URI uri = URI.create(apiBase + "/v1/text-to-speech/" + voice.voiceId() + "/stream?output_format=ulaw_8000");
        Supplier<HttpClientRequest> post = () -> http.post(uri)
                .header(API_KEY_HEADER, apiKey)
                .contentType(MediaTypes.APPLICATION_JSON);
        try (HttpClientResponse response = http.send(post, body(request))) {
            int status = response.status().code();
            if (response.headers().first(HeaderNames.CONTENT_TYPE).orElse("").contains("json")) {
                throw http.badResponse(status, "JSON instead of audio: " + http.errorDetail(http.text(response)));
            }
            MuLawForwarder.forward(http, status, http.body(response), sink);
        } catch (VendorException e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the caller ended the stream on purpose; the interrupt flag tells it so
            }
            throw e;
        }
    }

    private String body(SpeechRequest request) {
        Voice voice = request.voice();
        ObjectNode body = http.json().createObjectNode()
                .put("text", request.text())
                .put("model_id", voice.modelId());
        body.putObject("voice_settings")
                .put("stability", voice.stability())
                .put("similarity_boost", voice.similarityBoost())
                .put("style", voice.style())
                .put("use_speaker_boost", true)
                .put("speed", voice.speed());
        if (!request.previousText().isEmpty()) {
            body.put("previous_text", request.previousText());
        }
        return body.toString();
    }
}
