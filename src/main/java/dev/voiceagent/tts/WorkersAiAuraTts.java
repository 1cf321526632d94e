package dev.voiceagent.tts;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * The fallback voice: Deepgram Aura on Cloudflare Workers AI
 * (https://developers.cloudflare.com/workers-ai/models/aura-1/).
 * <pre>
 * POST {apiBase}/accounts/{account_id}/ai/run/@cf/deepgram/aura-1     Authorization: Bearer {token}
 * {"text":"…","speaker":"asteria","encoding":"mulaw","sample_rate":8000,"container":"none"}
 * </pre>
 * The model schema (reference: Workers AI {@code aura-1} model page) accepts {@code encoding} ({@code mulaw}, ...),
 * {@code container} ({@code none}, {@code wav}, {@code ogg}) and {@code sample_rate}, yet documents only "binary
 * audio/mpeg" output; whether the REST API honours {@code mulaw}/{@code none} is unconfirmed. So the answer is judged
 * by its bytes, never its {@code Content-Type} (see {@link MuLawForwarder}): raw mu-law is streamed to the sink as it
 * arrives; a RIFF/WAVE file holding mono mu-law or 16-bit PCM is unwrapped (and resampled to 8 kHz when at another
 * rate); JSON {@code {"result":{"audio":"<base64>"}}} is decoded and judged the same way; MP3 (which Twilio cannot
 * play and is not decoded here) and a JSON error envelope are {@code BAD_RESPONSE}. Only 8 kHz mu-law ever reaches the
 * sink. {@code timeout} bounds the connect and each wait for data. No retries (apart from {@link VendorHttp}'s
 * pooled-connection repair).
 */
public final class WorkersAiAuraTts implements SpeechSynthesizer {

    /** The Workers AI model id. */
    public static final String MODEL = "@cf/deepgram/aura-1";
    /** Used when the voice names no fallback speaker. */
    public static final String DEFAULT_SPEAKER = "asteria";

    private static final int MAX_JSON_BYTES = 16 * 1024 * 1024;

    private final CloudflareAccount account;
    private final VendorHttp http;

    public WorkersAiAuraTts(CloudflareAccount account, Duration timeout) {
        this.account = Objects.requireNonNull(account, "account");
        Objects.requireNonNull(timeout, "timeout");
        this.http = new VendorHttp("cloudflare", VendorHttp.Resend.UNANSWERED, timeout, timeout, account.apiToken());
    }

    @Override
    public void synthesize(SpeechRequest request, AudioSink sink) {
        if (!account.configured()) {
            throw http.unconfigured("Cloudflare account");
        }
        if (request.text().isBlank()) {
            return;
        }
        Supplier<HttpClientRequest> post = () -> http.post(account.runUri(MODEL))
                .header(HeaderNames.AUTHORIZATION, "Bearer " + account.apiToken())
                .contentType(MediaTypes.APPLICATION_JSON);
        try (HttpClientResponse response = http.send(post, body(request))) {
            int status = response.status().code();
            boolean json = response.headers().first(HeaderNames.CONTENT_TYPE).orElse("").contains("json");
            if (json) {
                MuLawForwarder.forward(http, status, audioInJson(status, http.text(response)), sink);
                return;
            }
            MuLawForwarder.Sniffed body = MuLawForwarder.sniff(http, status, http.body(response));
            if (body.kind() == MuLawForwarder.Kind.JSON) { // JSON labelled as audio
                MuLawForwarder.forward(http, status, audioInJson(status, boundedText(status, body.stream())), sink);
                return;
            }
            MuLawForwarder.forward(http, status, body, sink);
        } catch (VendorException e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the caller ended the stream on purpose; the interrupt flag tells it so
            }
            throw e;
        }
    }

    private String body(SpeechRequest request) {
        String speaker = request.voice().fallbackSpeaker();
        return http.json().createObjectNode()
                .put("text", request.text())
                .put("speaker", speaker == null || speaker.isBlank() ? DEFAULT_SPEAKER : speaker.strip())
                .put("encoding", "mulaw")
                .put("sample_rate", 8000)
                .put("container", "none")
                .toString();
    }

    /** The audio inside a JSON envelope, sniffed again; audio that is itself JSON is refused. */
    private MuLawForwarder.Sniffed audioInJson(int status, String body) {
        MuLawForwarder.Sniffed audio = MuLawForwarder.sniff(http, status, decodeJsonAudio(status, body));
        if (audio.kind() == MuLawForwarder.Kind.JSON) {
            throw http.badResponse(status, "result.audio holds JSON, not audio");
        }
        return audio;
    }

    private String boundedText(int status, InputStream body) {
        try {
            byte[] bytes = body.readNBytes(MAX_JSON_BYTES + 1);
            if (bytes.length > MAX_JSON_BYTES) {
                throw http.badResponse(status, "JSON answer larger than " + MAX_JSON_BYTES + " bytes");
            }
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw http.failure(e, true);
        }
    }

    private InputStream decodeJsonAudio(int status, String body) {
        JsonNode envelope = http.parse(status, body);
        JsonNode audio = envelope.path("result").path("audio");
        if (envelope.path("success").isBoolean() && !envelope.path("success").asBoolean() || !audio.isTextual()) {
            throw http.badResponse(status, "no result.audio: " + http.errorDetail(body));
        }
        try {
            return new ByteArrayInputStream(Base64.getDecoder().decode(audio.asText()));
        } catch (IllegalArgumentException e) {
            throw http.badResponse(status, "result.audio is not base64");
        }
    }
}
