package dev.voiceagent.llm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.tools.ToolSpec;
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
 * <p>
 * Tools ({@link ChatRequest#tools()}) are offered in the model family's form ({@link ToolDialect}) and the request is
 * still streamed (first-token latency; whether llama-3.3 streams tool calls is not documented first-hand, so every
 * form is accepted): tool calls are gathered by {@link ToolCallCollector} from native or OpenAI-shaped chunks, from a
 * whole JSON answer, or from a reply that is only a call written out as JSON text (held back while it might be one,
 * never handed to the sink), and the result is {@link ChatResult.ToolCalls}.
 */
public final class WorkersAiChat implements LanguageModel {

    private static final String DONE = "[DONE]";
    /** What may follow {@code [DONE]} and still be read so the connection is kept (normally nothing). */
    private static final int MAX_AFTER_DONE = 4_096;
    private static final MediaType EVENT_STREAM = MediaTypes.create("text", "event-stream");

    private final CloudflareAccount account;
    private final VendorHttp http;

    public WorkersAiChat(CloudflareAccount account, Duration firstTokenTimeout) {
        this.account = Objects.requireNonNull(account, "account");
        Objects.requireNonNull(firstTokenTimeout, "firstTokenTimeout");
        this.http = new VendorHttp("cloudflare", VendorHttp.Resend.UNANSWERED, firstTokenTimeout, firstTokenTimeout,
                                   account.apiToken());
    }

    @Override
    public ChatResult stream(ChatRequest request, TokenSink sink) {
        if (!account.configured()) {
            throw http.unconfigured("Cloudflare account");
        }
        Supplier<HttpClientRequest> post = () -> http.post(account.runUri(request.model()))
                .header(HeaderNames.AUTHORIZATION, "Bearer " + account.apiToken())
                .accept(EVENT_STREAM)
                .contentType(MediaTypes.APPLICATION_JSON);
        Reply reply = new Reply(request, sink);
        try (HttpClientResponse response = http.send(post, body(request))) {
            String contentType = response.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
            if (contentType.contains("json")) {
                deliverWhole(response, reply);
            } else {
                deliverEvents(response, reply);
            }
        } catch (VendorException e) {
            if (Thread.currentThread().isInterrupted()) {
                return new ChatResult.Stopped(); // the caller ended the stream on purpose
            }
            throw e;
        }
        return reply.result();
    }

    private String body(ChatRequest request) {
        ObjectNode body = http.json().createObjectNode();
        ToolDialect dialect = ToolDialect.of(request.model());
        dialect.messages(body.putArray("messages"), request.messages(), http.json());
        if (!request.tools().isEmpty()) {
            dialect.tools(body.putArray("tools"), request.tools());
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
    private void deliverEvents(HttpClientResponse response, Reply reply) {
        int status = response.status().code();
        BufferedReader reader = new BufferedReader(new InputStreamReader(http.body(response), StandardCharsets.UTF_8));
        try {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (Thread.currentThread().isInterrupted()) {
                    reply.stopped = true;
                    return;
                }
                if (!line.startsWith("data:")) {
                    continue; // blank separators, ": comments", event:, id:, retry:
                }
                String data = line.substring("data:".length()).strip();
                if (data.equals(DONE)) {
                    reply.finish();
                    readToEnd(reader);
                    return;
                }
                JsonNode chunk = http.parse(status, data);
                reply.tools.take(chunk);
                if (!reply.text(delta(chunk))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw http.failure(e, true);
        }
        throw new VendorException(http.vendor(), VendorException.Kind.STREAM_CUT, status,
                "event stream ended without data: [DONE]");
    }

    /**
     * Reads what follows {@code data: [DONE]}, normally only the end of the chunked body, so that closing the response
     * returns its connection to the pool: Helidon closes a connection whose chunked body was left unread (checked in
     * the 4.5.0 bytecode, {@code Http1ClientResponseImpl.close}), and the next model request would then pay a new TCP
     * and TLS handshake before its first token. Bounded: a body that goes on past 4 KB, or fails, only costs the
     * connection. Workers AI ends the stream right after {@code [DONE]}; one that held it open would hold the end of
     * the answer (its last words still in the sentence splitter) until the read timeout.
     */
    private static void readToEnd(BufferedReader reader) {
        char[] rest = new char[512];
        try {
            for (int read = 0; read < MAX_AFTER_DONE; ) {
                int n = reader.read(rest);
                if (n < 0) {
                    return;
                }
                read += n;
            }
        } catch (IOException | VendorException e) {
            // the answer is complete; only the connection is lost
        }
    }

    private void deliverWhole(HttpClientResponse response, Reply reply) {
        int status = response.status().code();
        JsonNode envelope = http.parse(status, http.text(response));
        if (envelope.path("success").isBoolean() && !envelope.path("success").asBoolean()) {
            throw http.badResponse(status, "no result: " + http.errorDetail(envelope.toString()));
        }
        JsonNode result = envelope.has("result") ? envelope.path("result") : envelope;
        reply.tools.take(result);
        JsonNode text = result.path("response");
        JsonNode openAi = result.path("choices").path(0).path("message").path("content");
        if (!text.isTextual() && !openAi.isTextual() && !reply.tools.any()) {
            throw http.badResponse(status, "no result.response: " + http.errorDetail(envelope.toString()));
        }
        String words = text.isTextual() ? text.asText() : openAi.isTextual() ? openAi.asText() : "";
        if (reply.text(words)) {
            reply.finish();
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

    /**
     * One reply in progress: its text goes to the sink as it comes, except that, when tools are offered, a reply
     * that starts with <code>{</code> or <code>[</code> is held (up to {@value #MAX_HELD_CHARS} characters) in case
     * it is a tool call written out as text, which must never be spoken.
     */
    private final class Reply {
        private static final int MAX_HELD_CHARS = 4_096;

        final ToolCallCollector tools = new ToolCallCollector(http.json());
        private final TokenSink sink;
        private final java.util.Set<String> offered;
        private final StringBuilder held = new StringBuilder();
        private boolean holding;
        private boolean decided;
        boolean stopped;
        private List<ToolCall> writtenOut = List.of();

        Reply(ChatRequest request, TokenSink sink) {
            this.sink = sink;
            this.offered = request.tools().stream().map(ToolSpec::name).collect(java.util.stream.Collectors.toSet());
        }

        /** Passes (or holds) a delta; false when the sink asked to stop. */
        boolean text(String delta) {
            if (delta.isEmpty()) {
                return true;
            }
            if (offered.isEmpty() || decided && !holding) {
                return pass(delta);
            }
            held.append(delta);
            String start = held.toString().stripLeading();
            if (start.isEmpty()) {
                return true;
            }
            if (!decided) {
                decided = true;
                holding = start.startsWith("{") || start.startsWith("[");
            }
            if (!holding || held.length() > MAX_HELD_CHARS) {
                holding = false;
                String out = held.toString();
                held.setLength(0);
                return pass(out);
            }
            return true;
        }

        private boolean pass(String text) {
            if (!sink.accept(text)) {
                stopped = true;
                return false;
            }
            return true;
        }

        /** The reply is complete: a held text is either a written-out tool call or words after all. */
        void finish() {
            if (held.isEmpty()) {
                return;
            }
            String text = held.toString();
            held.setLength(0);
            writtenOut = ToolCallCollector.writtenOut(http.json(), text, offered);
            if (writtenOut.isEmpty()) {
                pass(text);
            }
        }

        ChatResult result() {
            if (stopped) {
                return new ChatResult.Stopped();
            }
            List<ToolCall> calls = tools.calls();
            if (!calls.isEmpty()) {
                return new ChatResult.ToolCalls(calls);
            }
            return writtenOut.isEmpty() ? new ChatResult.Answered() : new ChatResult.ToolCalls(writtenOut);
        }
    }
}
