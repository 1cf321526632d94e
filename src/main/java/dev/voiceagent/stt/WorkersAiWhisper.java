package dev.voiceagent.stt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * Speech-to-text with Cloudflare Workers AI Whisper
 * (https://developers.cloudflare.com/workers-ai/models/whisper/ and /whisper-large-v3-turbo/).
 * <pre>
 * POST {apiBase}/accounts/{account_id}/ai/run/{model}      Authorization: Bearer {token}
 *   @cf/openai/whisper, @cf/openai/whisper-tiny-en:  body = the WAV file, Content-Type: application/octet-stream
 *   @cf/openai/whisper-large-v3-turbo:               {"audio": "&lt;base64 WAV&gt;", "language": "en"}
 * 200 {"result":{"text":"…","word_count":3,…},"success":true,"errors":[],"messages":[]}
 * </pre>
 * The binary form takes no options, so {@code language} only reaches the turbo model. One request per turn,
 * no retries (apart from {@link VendorHttp}'s pooled-connection repair); {@code timeout} bounds the connect and
 * each wait for data.
 */
public final class WorkersAiWhisper implements SpeechToText {

    private static final byte[] AUDIO_FIELD = "{\"audio\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The model whose input is JSON with base64 audio rather than a binary body. */
    public static final String TURBO_MODEL = "@cf/openai/whisper-large-v3-turbo";

    private final CloudflareAccount account;
    private final String model;
    private final VendorHttp http;
    /** What follows the base64 audio in the turbo model's JSON body: the close quote and the language, if any. */
    private final byte[] jsonTail;

    /**
     * @param model    e.g. {@link #TURBO_MODEL} or {@code @cf/openai/whisper}
     * @param language ISO 639-1 code such as {@code en}; blank lets the model detect it (turbo only)
     */
    public WorkersAiWhisper(CloudflareAccount account, String model, String language, Duration timeout) {
        this.account = Objects.requireNonNull(account, "account");
        this.model = Objects.requireNonNull(model, "model");
        String lang = language == null ? "" : language.strip();
        Objects.requireNonNull(timeout, "timeout");
        account.runPath(model); // rejects a malformed model id now rather than mid-call
        this.http = new VendorHttp("cloudflare", VendorHttp.Resend.UNANSWERED, timeout, timeout, account.apiToken());
        String tail = lang.isEmpty() ? "\"}" : "\",\"language\":" + http.json().getNodeFactory().textNode(lang) + "}";
        this.jsonTail = tail.getBytes(StandardCharsets.UTF_8);   // the language quoted and escaped by Jackson
    }

    @Override
    public Transcript transcribe(byte[] wav) {
        if (!account.configured()) {
            throw http.unconfigured("Cloudflare account");
        }
        boolean json = takesBase64Json(model);
        Object entity = json ? jsonBody(wav) : wav;
        Supplier<HttpClientRequest> request = () -> http.post(account.runUri(model))
                .header(HeaderNames.AUTHORIZATION, "Bearer " + account.apiToken())
                .accept(MediaTypes.APPLICATION_JSON)
                .contentType(json ? MediaTypes.APPLICATION_JSON : MediaTypes.APPLICATION_OCTET_STREAM);
        try (HttpClientResponse response = http.send(request, entity)) {
            int status = response.status().code();
            JsonNode envelope = http.parse(status, http.text(response));
            JsonNode text = envelope.path("result").path("text");
            if (envelope.path("success").isBoolean() && !envelope.path("success").asBoolean()) {
                throw http.badResponse(status, "success=false: " + http.errorDetail(envelope.toString()));
            }
            if (!text.isTextual()) {
                throw http.badResponse(status, "no result.text in the answer");
            }
            return new Transcript(text.asText());
        }
    }

    /**
     * {@code {"audio":"<base64>","language":"en"}} as bytes, written directly: the audio is tens of kilobytes a
     * turn, and a JSON tree's {@code toString} copied it through a char buffer twice its size, a String and the
     * String's bytes (our largest allocation in a loaded server, loadtest/README.md). Base64 needs no escaping.
     */
    private byte[] jsonBody(byte[] wav) {
        byte[] audio = Base64.getEncoder().encode(wav);
        byte[] body = new byte[AUDIO_FIELD.length + audio.length + jsonTail.length];
        System.arraycopy(AUDIO_FIELD, 0, body, 0, AUDIO_FIELD.length);
        System.arraycopy(audio, 0, body, AUDIO_FIELD.length, audio.length);
        System.arraycopy(jsonTail, 0, body, AUDIO_FIELD.length + audio.length, jsonTail.length);
        return body;
    }

    private static boolean takesBase64Json(String model) {
        return model.startsWith("@cf/openai/whisper-large-v3");
    }
}
