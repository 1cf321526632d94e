package dev.voiceagent.llm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * Streamed chat with a Cloudflare Workers AI text-generation model
 * (https://developers.cloudflare.com/workers-ai/models/llama-3.3-70b-instruct-fp8-fast/, "Streaming").
 * <pre>
 * POST {apiBase}/accounts/{account_id}/ai/run/{model}   Authorization: Bearer {token}   Accept: text/event-stream
 * {"messages":[{"role":"system","content":"…"},…],"stream":true,"max_tokens":256,"temperature":0.6}
 * 200 text/event-stream:
 *   data: {"response":"New"}
 *   data: {"response":" York"}
 *   data: {"response":"","usage":{…}}
 *   data: [DONE]
 * </pre>
 * Unknown keys are ignored, and OpenAI-style chunks ({@code {"choices":[{"delta":{"content":"…"}}]}}) are accepted
 * too. A body that ends before {@code [DONE]} is {@code STREAM_CUT}. A plain JSON answer
 * ({@code {"result":{"response":"…"}}}) is passed on as one delta. {@code firstTokenTimeout} bounds the connect,
 * the wait for the first token and every later gap between reads. No retries (apart from {@link VendorHttp}'s
 * pooled-connection repair).
 */
public final class WorkersAiChat implements LanguageModel {

    private static final String DONE = "[DONE]";
    private static final MediaType EVENT_STREAM = MediaTypes.create("text", "event-stream");

    private final CloudflareAccount account;
    private final VendorHttp http;

    public WorkersAiChat(CloudflareAccount account, Duration firstTokenTimeout) {
        this.account = Objects.requireNonNull(account, "account");
        Objects.requireNonNull(firstTokenTimeout, "firstTokenTimeout");
        this.http = new VendorHttp("cloudflare", firstTokenTimeout, firstTokenTimeout, account.apiToken());
    }

    @Override
    public void stream(ChatRequest request, TokenSink sink) {
        if (!account.configured()) {
            throw http.unconfigured("Cloudflare account");
        }
        Supplier<HttpClientRequest> post = () -> http.post(account.runUri(request.model()))
                .header(HeaderNames.AUTHORIZATION, "Bearer " + account.apiToken())
                .accept(EVENT_STREAM)
                .contentType(MediaTypes.APPLICATION_JSON);
        try (HttpClientResponse response = http.send(post, body(request))) {
            String contentType = response.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
            if (contentType.contains("json")) {
                deliverWhole(response, sink);
            } else {
                deliverEvents(response, sink);
            }
        } catch (VendorException e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the caller ended the stream on purpose; the interrupt flag tells it so
            }
            throw e;
        }
    }

    private String body(ChatRequest request) {
        ObjectNode body = http.json().createObjectNode();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role().wireName()).put("content", message.content());
        }
        return body.put("stream", true)
                .put("max_tokens", request.maxTokens())
                .put("temperature", request.temperature())
                .toString();
    }

    /**
     * A deliberately small SSE reader: each {@code data:} line is one JSON chunk (both Workers AI and the OpenAI
     * format put an event on a single line), so it is handed on as soon as its line arrives.
     */
    private void deliverEvents(HttpClientResponse response, TokenSink sink) {
        int status = response.status().code();
        BufferedReader reader = new BufferedReader(new InputStreamReader(http.body(response), StandardCharsets.UTF_8));
        try {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                if (!line.startsWith("data:")) {
                    continue; // blank separators, ": comments", event:, id:, retry:
                }
                String data = line.substring("data:".length()).strip();
                if (data.equals(DONE)) {
                    return;
                }
                String delta = delta(http.parse(status, data));
                if (!delta.isEmpty() && !sink.accept(delta)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw http.failure(e, true);
        }
        throw new VendorException(http.vendor(), VendorException.Kind.STREAM_CUT, status,
                "event stream ended without data: [DONE]");
    }

    private void deliverWhole(HttpClientResponse response, TokenSink sink) {
        int status = response.status().code();
        JsonNode envelope = http.parse(status, http.text(response));
        JsonNode text = envelope.path("result").path("response");
        if (envelope.path("success").isBoolean() && !envelope.path("success").asBoolean() || !text.isTextual()) {
            throw http.badResponse(status, "no result.response: " + http.errorDetail(envelope.toString()));
        }
        if (!text.asText().isEmpty()) {
            sink.accept(text.asText());
        }
    }

    private static String delta(JsonNode chunk) {
        JsonNode workersAi = chunk.path("response");
        if (workersAi.isTextual()) {
            return workersAi.asText();
        }
        JsonNode openAi = chunk.path("choices").path(0).path("delta").path("content");
        return openAi.isTextual() ? openAi.asText() : "";
    }
}
