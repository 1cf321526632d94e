package dev.voiceagent.fakes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.vendor.CloudflareAccount;

/**
 * A fake Cloudflare Workers AI REST API
 * (https://developers.cloudflare.com/workers-ai/get-started/rest-api/, /workers-ai/platform/errors/).
 * <p>
 * {@code POST /accounts/{accountId}/ai/run/{model}} (an optional {@code /client/v4} prefix is accepted too, so
 * {@link #baseUri()} works as the API base either way) with {@code Authorization: Bearer {apiToken}}:
 * <ul>
 *     <li>{@link #WHISPER} ({@code @cf/openai/whisper*}): needs a RIFF WAV of 16-bit PCM, mono, 8000 Hz: as the binary
 *     body (or {@code {"audio":[0..255,…]}}) for whisper and whisper-tiny-en, as {@code {"audio":"<base64>"}} for
 *     whisper-large-v3-turbo. Answers {@code {"result":{"text":…,"word_count":N},"success":true,…}}.</li>
 *     <li>{@link #LLM} (any other model): {@code {"messages":[…],"stream":…}}. Streamed answers are
 *     {@code text/event-stream}: one {@code data: {"response":"…"}} event per word (with the whitespace that follows
 *     it, so the deltas join to exactly the reply), a final {@code {"response":"","usage":{…}}} event, then
 *     {@code data: [DONE]}. Unstreamed: {@code {"result":{"response":…,"usage":{…}},"success":true,…}}.
 *     With {@code "response_format"} it is JSON mode (/workers-ai/features/json-mode/): the type must be
 *     {@code json_schema} with an object schema in {@code json_schema}, and {@code "stream": true} is refused (JSON mode
 *     does not stream); the answer is {@code {"result":{"response":{…an object…}},"success":true,…}}, scripted with
 *     {@link #queueJsonAnswers} or {@link #jsonAnswerer}. {@link #queueJsonModeFailure()} answers the documented
 *     {@code JSON Mode couldn't be met} error, whose status and code are <b>unconfirmed</b> (400 and no code here).
 *     Requests are recorded in {@link #jsonModeCalls()}, not in {@link #chatCalls()}.
 *     A request offering {@code tools} is checked against the model schemas and may be answered with tool calls
 *     ({@link #queueToolCalls}, {@link #toolCaller}) in the legacy or OpenAI form, streamed or not
 *     ({@link ToolCallForm}).</li>
 *     <li>{@link #AURA} ({@code @cf/deepgram/aura-1}): {@code {"text":…,"speaker":…}}; answers the test tone, shaped by
 *     {@link #auraReply(AuraReply)}, lasting {@link #audioMillisFor(String)}.</li>
 * </ul>
 * Errors use the envelope {@code {"errors":[{"code":N,"message":"…"}],"success":false,"result":{},"messages":[]}}
 * with the documented codes: 401 code 10000 "Authentication error", 400 5004 invalid data / 5007 no such model,
 * 403 3023, 404 3042, 408 3007, 413 3006, 429 3040 (capacity), and for 5xx code 3043 (the 5xx body is not documented;
 * unconfirmed). An unknown path gets 404 code 7003 "Could not route to …".
 * <p>
 * The public port is a {@link FrontDoor}: WebSocket upgrades to {@code @cf/deepgram/nova-3} and
 * {@code @cf/deepgram/flux} go to {@link #streaming()} (a {@link FakeStreamingStt}, documented there); every other
 * connection is relayed byte for byte to the HTTP server behind it, so {@link #baseUri()} serves both.
 */
public final class FakeCloudflare extends FakeVendorServer {

    /** Route of the Whisper speech-to-text models. */
    public static final String WHISPER = "whisper";
    /** Route of every text-generation model. */
    public static final String LLM = "llm";
    /** Route of {@code @cf/deepgram/aura-1}. */
    public static final String AURA = "aura";

    private static final String AURA_MODEL = "@cf/deepgram/aura-1";
    private static final String TURBO_MODEL = "@cf/openai/whisper-large-v3-turbo";

    private final String accountId;
    private final String apiToken;
    private final ObjectMapper json = new ObjectMapper();
    private final FakeStreamingStt streaming;
    private final FrontDoor frontDoor;

    private final List<WhisperCall> whisperCalls = new CopyOnWriteArrayList<>();
    private final Queue<String> transcripts = new ConcurrentLinkedQueue<>();
    private volatile Function<WhisperCall, String> transcriber = call -> "";
    private volatile Duration whisperLatency = Duration.ZERO;

    private final List<ChatCall> chatCalls = new CopyOnWriteArrayList<>();
    private final Queue<String> replies = new ConcurrentLinkedQueue<>();
    private volatile Function<ChatCall, String> replier = call -> "I see.";
    private volatile Duration firstTokenLatency = Duration.ZERO;
    private volatile Duration tokenInterval = Duration.ZERO;

    private volatile boolean answerWhole;
    private final Queue<ToolTurn> toolTurns = new ConcurrentLinkedQueue<>();
    private volatile Function<ChatCall, Optional<ToolTurn>> toolCaller = call -> Optional.empty();

    private final List<JsonModeCall> jsonModeCalls = new CopyOnWriteArrayList<>();
    private final Queue<JsonAnswer> jsonAnswers = new ConcurrentLinkedQueue<>();
    private volatile Function<JsonModeCall, JsonNode> jsonAnswerer = call -> json.createObjectNode()
            .put("summary", "The caller called.").set("facts", json.createObjectNode());

    private final List<AuraCall> auraCalls = new CopyOnWriteArrayList<>();
    private volatile AuraReply auraReply = AuraReply.RAW_MULAW;
    private volatile int msPerChar = 40;

    public FakeCloudflare(String accountId, String apiToken) {
        this(accountId, apiToken, 0);
    }

    /** A fake on a fixed loopback {@code port} (0: any free one). */
    public FakeCloudflare(String accountId, String apiToken, int port) {
        super(Set.of(WHISPER, LLM, AURA), 0);
        this.accountId = Objects.requireNonNull(accountId, "accountId");
        this.apiToken = Objects.requireNonNull(apiToken, "apiToken");
        this.streaming = new FakeStreamingStt(accountId, apiToken, status -> errorBody(WHISPER, status));
        start();
        this.frontDoor = new FrontDoor(port, serverPort(), new FrontDoor.Upgrades() {
            @Override
            public boolean claims(HttpHead head) {
                return streaming.claims(head);
            }

            @Override
            public void serve(java.net.Socket socket, java.io.InputStream in, HttpHead head) {
                streaming.serve(socket, in, head);
            }
        });
    }

    /** The live-transcription WebSockets ({@code @cf/deepgram/nova-3}, {@code @cf/deepgram/flux}) on this fake's port. */
    public FakeStreamingStt streaming() {
        return streaming;
    }

    /** The front door's port: WebSocket upgrades for the streaming models are served there, the rest relayed. */
    @Override
    protected int publicPort() {
        return frontDoor.port();
    }

    /**
     * The HTTP server's own address, behind the front door: for a client that never opens a streaming-model WebSocket
     * (a load run on Whisper), whose requests then skip the front door's relay, a second loopback hop for every
     * streamed chunk that a real vendor does not have.
     */
    public String httpOnlyBaseUrl() {
        return "http://127.0.0.1:" + serverPort();
    }

    @Override
    public void close() {
        frontDoor.close();
        streaming.close();
        super.close();
    }

    /** The account a client should use to reach this fake. */
    public CloudflareAccount account() {
        return new CloudflareAccount(baseUri(), accountId, apiToken);
    }

    // ---- Whisper

    /** Transcripts to answer, in order; when none is left, the {@link #transcriber} decides. */
    public void queueTranscripts(String... texts) {
        transcripts.addAll(List.of(texts));
    }

    /** Computes the transcript when the queue is empty; the default returns {@code ""}. */
    public void transcriber(Function<WhisperCall, String> transcriber) {
        this.transcriber = Objects.requireNonNull(transcriber, "transcriber");
    }

    /** How long a transcription takes before the answer starts; default zero. */
    public void whisperLatency(Duration latency) {
        this.whisperLatency = Objects.requireNonNull(latency, "latency");
    }

    /** Valid transcription requests, in arrival order. */
    public List<WhisperCall> whisperCalls() {
        return List.copyOf(whisperCalls);
    }

    // ---- text generation

    /** Replies to answer, in order; when none is left, the {@link #replier} decides. */
    public void queueReplies(String... texts) {
        replies.addAll(List.of(texts));
    }

    /** Computes the reply when the queue is empty; the default returns {@code "I see."}. */
    public void replier(Function<ChatCall, String> replier) {
        this.replier = Objects.requireNonNull(replier, "replier");
    }

    /** Pause between the response headers and the first streamed event; default zero. */
    public void firstTokenLatency(Duration latency) {
        this.firstTokenLatency = Objects.requireNonNull(latency, "latency");
    }

    /** Pause between streamed events; default zero. */
    public void tokenInterval(Duration interval) {
        this.tokenInterval = Objects.requireNonNull(interval, "interval");
    }

    /** Valid chat requests, in arrival order. */
    public List<ChatCall> chatCalls() {
        return List.copyOf(chatCalls);
    }

    // ---- function calling

    /**
     * The next requests that offer tools are answered with these tool calls, in {@code form} (one request per
     * call of this method); then the {@link #toolCaller} decides, and then the text replies.
     */
    public void queueToolCalls(ToolCallForm form, ScriptedToolCall... calls) {
        toolTurns.add(new ToolTurn(form, List.of(calls)));
    }

    /**
     * Answers chat requests with one JSON body even when they ask for a stream, as some models do ("Some models
     * return a non-streaming response even when stream:true is requested").
     */
    public void answerWhole(boolean whole) {
        this.answerWhole = whole;
    }

    /** Decides, for a request offering tools with no queued tool calls left, whether to call tools. */
    public void toolCaller(Function<ChatCall, Optional<ToolTurn>> toolCaller) {
        this.toolCaller = Objects.requireNonNull(toolCaller, "toolCaller");
    }

    // ---- JSON mode

    /**
     * JSON-mode answers, in order: each goes as is into {@code result.response}. Normally an object; a text node
     * gives the JSON-in-a-string form some models send. When none is left, the {@link #jsonAnswerer} decides.
     */
    public void queueJsonAnswers(JsonNode... responses) {
        for (JsonNode response : responses) {
            jsonAnswers.add(new JsonAnswer(Objects.requireNonNull(response, "response")));
        }
    }

    /** {@link #queueJsonAnswers(JsonNode...)} with the answer given as JSON text, e.g. {@code {"summary":"…"}}. */
    public void queueJsonAnswer(String responseJson) {
        queueJsonAnswers(parse(responseJson.getBytes(StandardCharsets.UTF_8)));
    }

    /** The next JSON-mode request (in the queue's order) fails with {@code JSON Mode couldn't be met}. */
    public void queueJsonModeFailure() {
        jsonAnswers.add(new JsonAnswer(null));
    }

    /** Computes the answer when the queue is empty; the default is a summary and no facts. */
    public void jsonAnswerer(Function<JsonModeCall, JsonNode> answerer) {
        this.jsonAnswerer = Objects.requireNonNull(answerer, "answerer");
    }

    /** Valid JSON-mode requests, in arrival order. */
    public List<JsonModeCall> jsonModeCalls() {
        return List.copyOf(jsonModeCalls);
    }

    // ---- Aura

    /** What shape Aura audio comes in; default {@link AuraReply#RAW_MULAW}. */
    public void auraReply(AuraReply reply) {
        this.auraReply = Objects.requireNonNull(reply, "reply");
    }

    /** Audio length per character of text; default 40 ms (200 ms at least). */
    public void msPerChar(int millis) {
        this.msPerChar = millis;
    }

    /** How long the Aura audio for {@code text} lasts. */
    public int audioMillisFor(String text) {
        return Math.max(200, msPerChar * text.length());
    }

    /** Valid Aura requests, in arrival order. */
    public List<AuraCall> auraCalls() {
        return List.copyOf(auraCalls);
    }

    /** The texts of {@link #auraCalls()}. */
    public List<String> auraTexts() {
        return auraCalls.stream().map(AuraCall::text).toList();
    }

    // ---- HTTP

    @Override
    protected String routeOf(String method, String path) {
        String model = modelOf(path);
        if (!method.equals("POST") || model == null) {
            return null;
        }
        if (model.startsWith("@cf/openai/whisper")) {
            return WHISPER;
        }
        return model.equals(AURA_MODEL) ? AURA : LLM;
    }

    @Override
    protected void handle(String route, Exchange exchange) throws IOException {
        if (!("Bearer " + apiToken).equals(exchange.request().header("Authorization"))) {
            exchange.sendJson(401, errorBody(route, 401));
            return;
        }
        String model = modelOf(exchange.request().uri().getRawPath());
        switch (route) {
            case WHISPER -> transcribe(model, exchange);
            case LLM -> chat(model, exchange);
            case AURA -> speak(exchange);
            default -> throw new IllegalStateException(route);
        }
    }

    @Override
    protected String errorBody(String route, int status) {
        return switch (status) {
            case 400 -> error(5007, "No such model or task");
            case 401 -> error(10000, "Authentication error");
            case 403 -> error(3023, "Service unavailable for account");
            case 404 -> error(3042, "The model name is invalid");
            case 408 -> error(3007, "Request timeout");
            case 413 -> error(3006, "Request is too large");
            case 429 -> error(3040, "Capacity temporarily exceeded, please try again.");
            default -> status >= 500 ? error(3043, "Internal server error") : error(5004, "Invalid data");
        };
    }

    @Override
    protected void notFound(Exchange exchange) throws IOException {
        exchange.sendJson(404, error(7003, "Could not route to " + exchange.request().uri().getRawPath()
                + ", perhaps your object identifier is invalid?"));
    }

    private void transcribe(String model, Exchange exchange) throws IOException {
        byte[] wav;
        try {
            wav = audioOf(model, exchange.request());
        } catch (IllegalArgumentException e) {
            exchange.sendJson(400, error(5004, "Invalid data: " + e.getMessage()));
            return;
        }
        TestAudio.WavInfo info;
        try {
            info = TestAudio.readWav(wav);
        } catch (IllegalArgumentException e) {
            exchange.sendJson(400, error(5004, "Invalid data: audio is " + e.getMessage()));
            return;
        }
        if (info.format() != 1 || info.channels() != 1 || info.sampleRate() != 8000 || info.bitsPerSample() != 16) {
            exchange.sendJson(400, error(5004, "Invalid data: expected 16-bit PCM mono 8000 Hz WAV, got " + info));
            return;
        }
        WhisperCall call = new WhisperCall(model, info.millis(), wav);
        if (isRecording()) {
            whisperCalls.add(call);
        }
        String queued = transcripts.poll();
        String text = queued != null ? queued : transcriber.apply(call);
        exchange.pause(whisperLatency);
        ObjectNode result = json.createObjectNode()
                .put("text", text)
                .put("word_count", text.isBlank() ? 0 : text.strip().split("\\s+").length);
        exchange.sendJson(200, success(result));
    }

    /** Whisper takes binary or a byte array; the turbo model only JSON with base64 (per the model schemas). */
    private byte[] audioOf(String model, FakeVendorServer.ReceivedRequest request) {
        boolean jsonBody = String.valueOf(request.header("Content-Type")).startsWith("application/json");
        if (model.equals(TURBO_MODEL)) {
            if (!jsonBody) {
                throw new IllegalArgumentException("required properties at '/' are 'audio' (send JSON)");
            }
            JsonNode audio = parse(request.body()).path("audio");
            if (!audio.isTextual()) {
                throw new IllegalArgumentException("'audio' must be a base64 string");
            }
            return Base64.getDecoder().decode(audio.asText());
        }
        if (!jsonBody) {
            return request.body();
        }
        JsonNode audio = parse(request.body()).path("audio");
        if (!audio.isArray()) {
            throw new IllegalArgumentException("'audio' must be an array of 8-bit unsigned integers");
        }
        byte[] bytes = new byte[audio.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) audio.get(i).asInt();
        }
        return bytes;
    }

    private void chat(String model, Exchange exchange) throws IOException {
        JsonNode body;
        try {
            body = parse(exchange.request().body());
        } catch (IllegalArgumentException e) {
            exchange.sendJson(400, error(5004, "Invalid data: " + e.getMessage()));
            return;
        }
        if (!body.path("messages").isArray() && !body.path("prompt").isTextual()) {
            exchange.sendJson(400, error(5006, "Error: required properties at '/' are 'messages' or 'prompt'"));
            return;
        }
        List<Map<String, String>> messages = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            Map<String, String> fields = new LinkedHashMap<>();
            message.fields().forEachRemaining(field -> fields.put(field.getKey(), field.getValue().asText()));
            messages.add(Map.copyOf(fields));
        }
        boolean stream = body.path("stream").asBoolean(false);
        if (body.has("response_format")) {
            answerInJsonMode(model, List.copyOf(messages), stream, body, exchange);
            return;
        }
        boolean streamed = stream && !answerWhole;
        String invalid = invalidToolFields(model, body);
        if (invalid != null) {
            exchange.sendJson(400, error(5006, "Error: " + invalid));
            return;
        }
        ChatCall call = new ChatCall(model, List.copyOf(messages), stream, body);
        if (isRecording()) {
            chatCalls.add(call);
        }
        if (body.path("tools").isArray() && !body.path("tools").isEmpty()) {
            ToolTurn turn = toolTurns.poll();
            Optional<ToolTurn> decided = turn != null ? Optional.of(turn) : toolCaller.apply(call);
            if (decided.isPresent()) {
                answerWithToolCalls(decided.get(), streamed, exchange);
                return;
            }
        }
        String queued = replies.poll();
        String reply = queued != null ? queued : replier.apply(call);
        if (!streamed) {
            exchange.sendJson(200, success(json.createObjectNode().put("response", reply).set("usage", usage(reply))));
            return;
        }
        try (OutputStream out = exchange.startStream(200, "text/event-stream")) {
            exchange.pause(firstTokenLatency);
            boolean first = true;
            for (String word : reply.split("(?<=\\s)(?=\\S)")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (!first) {
                    exchange.pause(tokenInterval);
                }
                first = false;
                event(out, json.createObjectNode().put("response", word).toString());
            }
            event(out, json.createObjectNode().put("response", "").set("usage", usage(reply)).toString());
            event(out, "[DONE]");
        }
    }

    /**
     * What the model schemas require of tools and tool messages: each tool is {@code {name, description,
     * parameters}} or {@code {type:"function", function:{name, …}}} with an object {@code parameters}; for the legacy
     * models ({@code @cf/meta/…}) every message's {@code content} is a string and every property has a
     * {@code description}; a {@code tool} message has a string {@code content}. Null when all is well.
     */
    private static String invalidToolFields(String model, JsonNode body) {
        boolean legacy = model.startsWith("@cf/meta/");
        for (JsonNode tool : body.path("tools")) {
            JsonNode fn = tool.path("type").asText("").equals("function") ? tool.path("function") : tool;
            if (!fn.path("name").isTextual() || fn.path("name").asText().isEmpty()) {
                return "tools[]: required property 'name' is missing";
            }
            if (legacy && (!fn.path("description").isTextual() || !fn.path("parameters").isObject())) {
                return "tools[]: required properties are 'name', 'description' and 'parameters'";
            }
            if (legacy) {
                for (JsonNode property : fn.path("parameters").path("properties")) {
                    if (!property.path("description").isTextual() || !property.path("type").isTextual()) {
                        return "tools[].parameters.properties: required properties are 'type' and 'description'";
                    }
                }
            }
        }
        for (JsonNode message : body.path("messages")) {
            boolean tool = message.path("role").asText("").equals("tool");
            if ((legacy || tool) && !message.path("content").isTextual()) {
                return "messages[]: 'content' must be a string";
            }
            if (legacy && message.has("tool_calls")) {
                return "messages[]: unknown property 'tool_calls'";
            }
        }
        return null;
    }

    /** Answers with tool calls in the form a model family sends them (see {@link ToolCallForm}). */
    private void answerWithToolCalls(ToolTurn turn, boolean stream, Exchange exchange) throws IOException {
        List<ScriptedToolCall> calls = turn.calls();
        if (turn.form() == ToolCallForm.TEXT) {
            ArrayNode written = json.createArrayNode();
            for (ScriptedToolCall c : calls) {
                ObjectNode w = written.addObject().put("type", "function").put("name", c.name());
                w.set("parameters", parse(c.arguments().getBytes(StandardCharsets.UTF_8)));
            }
            String text = (calls.size() == 1 ? written.get(0) : written).toString();
            if (!stream) {
                exchange.sendJson(200, success(json.createObjectNode().put("response", text)));
                return;
            }
            try (OutputStream out = exchange.startStream(200, "text/event-stream")) {
                exchange.pause(firstTokenLatency);
                for (int at = 0; at < text.length(); at += 7) {
                    event(out, json.createObjectNode().put("response", text.substring(at, Math.min(text.length(), at + 7))).toString());
                }
                event(out, "[DONE]");
            }
            return;
        }
        if (!stream) {
            ObjectNode result = json.createObjectNode();
            if (turn.form() == ToolCallForm.LEGACY) {
                result.put("response", "");
                ArrayNode array = result.putArray("tool_calls");
                for (ScriptedToolCall c : calls) {
                    array.addObject().put("name", c.name()).set("arguments", parse(c.arguments().getBytes(StandardCharsets.UTF_8)));
                }
                result.set("usage", usage(""));
            } else {
                result.put("id", "chatcmpl-1").put("object", "chat.completion");
                ObjectNode choice = result.putArray("choices").addObject().put("index", 0);
                ObjectNode message = choice.putObject("message").put("role", "assistant").putNull("content");
                ArrayNode array = message.putArray("tool_calls");
                for (int i = 0; i < calls.size(); i++) {
                    ObjectNode c = array.addObject().put("id", "chatcmpl-tool-" + i).put("type", "function");
                    c.putObject("function").put("name", calls.get(i).name()).put("arguments", calls.get(i).arguments());
                }
                choice.put("finish_reason", "tool_calls");
            }
            exchange.sendJson(200, success(result));
            return;
        }
        try (OutputStream out = exchange.startStream(200, "text/event-stream")) {
            exchange.pause(firstTokenLatency);
            boolean openAi = turn.form() == ToolCallForm.OPENAI;
            for (int i = 0; i < calls.size(); i++) {
                String args = calls.get(i).arguments();
                int half = args.length() / 2;
                ObjectNode first = json.createObjectNode().put("id", (openAi ? "chatcmpl-tool-" : "call") + i)
                        .put("type", "function").put("index", i);
                first.putObject("function").put("name", calls.get(i).name());
                event(out, toolChunk(openAi, first));
                for (String fragment : List.of(args.substring(0, half), args.substring(half))) {
                    ObjectNode more = json.createObjectNode().put("index", i);
                    more.putObject("function").put("arguments", fragment);
                    event(out, toolChunk(openAi, more));
                }
            }
            if (!openAi) {
                // the provider's "null-finalization" entry, then the finish chunk
                ObjectNode closing = json.createObjectNode().putNull("id").putNull("type");
                closing.putObject("function").putNull("name").putNull("arguments");
                event(out, toolChunk(false, closing));
                event(out, "{\"finish_reason\":\"tool_calls\"}");
            } else {
                event(out, "{\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
            }
            event(out, "[DONE]");
        }
    }

    private String toolChunk(boolean openAi, ObjectNode entry) {
        ObjectNode chunk = json.createObjectNode();
        if (openAi) {
            ObjectNode choice = chunk.putArray("choices").addObject();
            choice.putObject("delta").putArray("tool_calls").add(entry);
            choice.putNull("finish_reason");
        } else {
            chunk.putArray("tool_calls").add(entry);
        }
        return chunk.toString();
    }

    private void answerInJsonMode(String model, List<Map<String, String>> messages, boolean stream, JsonNode body,
                                  Exchange exchange) throws IOException {
        JsonNode format = body.path("response_format");
        JsonNode schema = format.path("json_schema");
        if (!format.path("type").asText("").equals("json_schema") || !schema.isObject()
                || !schema.path("type").asText("").equals("object")) {
            exchange.sendJson(400, error(5006,
                    "Error: response_format must be {\"type\":\"json_schema\",\"json_schema\":{an object schema}}"));
            return;
        }
        if (stream) {
            exchange.sendJson(400, error(5006, "Error: JSON Mode currently doesn't support streaming"));
            return;
        }
        JsonModeCall call = new JsonModeCall(model, messages, schema, body);
        if (isRecording()) {
            jsonModeCalls.add(call);
        }
        JsonAnswer queued = jsonAnswers.poll();
        if (queued != null && queued.response() == null) {
            ObjectNode envelope = json.createObjectNode();
            envelope.putArray("errors").addObject().put("message", "JSON Mode couldn't be met");
            envelope.put("success", false);
            envelope.putObject("result");
            envelope.putArray("messages");
            exchange.sendJson(400, envelope.toString());
            return;
        }
        JsonNode response = queued != null ? queued.response() : jsonAnswerer.apply(call);
        ObjectNode result = json.createObjectNode();
        result.set("response", response);
        result.set("usage", usage(response.toString()));
        exchange.sendJson(200, success(result));
    }

    private void speak(Exchange exchange) throws IOException {
        JsonNode body;
        try {
            body = parse(exchange.request().body());
        } catch (IllegalArgumentException e) {
            exchange.sendJson(400, error(5004, "Invalid data: " + e.getMessage()));
            return;
        }
        if (!body.path("text").isTextual()) {
            exchange.sendJson(400, error(5006, "Error: required properties at '/' are 'text'"));
            return;
        }
        String text = body.path("text").asText();
        if (isRecording()) {
            auraCalls.add(new AuraCall(text, body.path("speaker").asText("angus"), body));
        }
        byte[] mulaw = TestAudio.toneMuLaw(audioMillisFor(text));
        switch (auraReply) {
            case RAW_MULAW -> stream(exchange, "audio/basic", mulaw);
            case WAV_MULAW -> stream(exchange, "audio/wav", TestAudio.wavMuLaw(mulaw));
            case WAV_PCM16 -> stream(exchange, "audio/wav",
                    TestAudio.wavPcm16(TestAudio.tonePcm(audioMillisFor(text), 8000), 8000));
            case WAV_PCM16_16KHZ -> stream(exchange, "audio/wav",
                    TestAudio.wavPcm16(TestAudio.tonePcm(audioMillisFor(text), 16000), 16000));
            case JSON_BASE64_WAV -> exchange.sendJson(200, success(json.createObjectNode()
                    .put("audio", Base64.getEncoder().encodeToString(TestAudio.wavMuLaw(mulaw)))));
            case WAV_PCM16_24KHZ -> stream(exchange, "audio/wav",
                    TestAudio.wavPcm16(TestAudio.tonePcm(audioMillisFor(text), 24000), 24000));
            case MP3 -> stream(exchange, "audio/mpeg", mp3(audioMillisFor(text), true));
            case MP3_UNTAGGED -> stream(exchange, "audio/mpeg", mp3(audioMillisFor(text), false));
            case JSON_BASE64_MP3 -> exchange.sendJson(200, success(json.createObjectNode()
                    .put("audio", Base64.getEncoder().encodeToString(mp3(audioMillisFor(text), true)))));
            case JSON_ERROR_AS_AUDIO -> exchange.send(200, "audio/mpeg",
                    error(5004, "Invalid data: speaker").getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * MP3-shaped bytes lasting about {@code millis}: MPEG-1 Layer III frames (128 kbps, 44.1 kHz, 417 bytes, 26 ms
     * each) with valid headers and silent payloads, optionally behind an ID3v2 tag, as {@code @cf/deepgram/aura-1}'s
     * documented {@code audio/mpeg} output would start.
     */
    static byte[] mp3(int millis, boolean id3) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (id3) {
            out.writeBytes(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 10});
            out.writeBytes(new byte[10]);
        }
        for (int t = 0; t < Math.max(2, millis / 26); t++) {
            byte[] frame = new byte[417];
            frame[0] = (byte) 0xFF;
            frame[1] = (byte) 0xFB;
            frame[2] = (byte) 0x90;
            frame[3] = (byte) 0x64;
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    /** Sends audio in 100 ms pieces (800 bytes of mu-law), flushing each. */
    private static void stream(Exchange exchange, String contentType, byte[] audio) throws IOException {
        try (OutputStream out = exchange.startStream(200, contentType)) {
            for (int at = 0; at < audio.length; at += 800) {
                out.write(audio, at, Math.min(800, audio.length - at));
                out.flush();
            }
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private ObjectNode usage(String reply) {
        int completion = reply.isBlank() ? 0 : reply.strip().split("\\s+").length;
        return json.createObjectNode().put("prompt_tokens", 10).put("completion_tokens", completion)
                .put("total_tokens", 10 + completion);
    }

    private String success(JsonNode result) {
        ObjectNode envelope = json.createObjectNode();
        envelope.set("result", result);
        envelope.put("success", true);
        envelope.putArray("errors");
        envelope.putArray("messages");
        return envelope.toString();
    }

    private String error(int code, String message) {
        ObjectNode envelope = json.createObjectNode();
        envelope.putArray("errors").addObject().put("code", code).put("message", message);
        envelope.put("success", false);
        envelope.putObject("result");
        envelope.putArray("messages");
        return envelope.toString();
    }

    private JsonNode parse(byte[] body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not JSON");
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The model id of a run path for this account, or {@code null}. */
    private String modelOf(String rawPath) {
        String path = rawPath.startsWith("/client/v4/") ? rawPath.substring("/client/v4".length()) : rawPath;
        String prefix = "/accounts/" + accountId + "/ai/run/";
        return path.startsWith(prefix) && path.length() > prefix.length() ? path.substring(prefix.length()) : null;
    }

    /**
     * One valid transcription request.
     *
     * @param audioMillis duration of the WAV's audio
     * @param wav         the WAV file as received (decoded from base64 for the turbo model)
     */
    public record WhisperCall(String model, int audioMillis, byte[] wav) {
    }

    /**
     * One valid text-generation request.
     *
     * @param messages each message's fields ({@code role}, {@code content}) as text
     * @param body     the whole JSON body
     */
    public record ChatCall(String model, List<Map<String, String>> messages, boolean stream, JsonNode body) {
    }

    /**
     * One valid JSON-mode request.
     *
     * @param messages each message's fields ({@code role}, {@code content}) as text
     * @param schema   {@code response_format.json_schema}
     * @param body     the whole JSON body
     */
    public record JsonModeCall(String model, List<Map<String, String>> messages, JsonNode schema, JsonNode body) {
    }

    /** How a model sends its tool calls (both forms, streamed and not, per Workers AI function calling). */
    public enum ToolCallForm {
        /**
         * llama-3.3 and the other legacy models: unstreamed {@code result.tool_calls: [{name, arguments: {…}}]};
         * streamed as native chunks {@code {"tool_calls":[{id,type,index,function:{name}}]}}, then argument
         * fragments per index, a null-finalization entry and {@code {"finish_reason":"tool_calls"}}.
         */
        LEGACY,
        /** OpenAI-shaped models: {@code choices[0].message.tool_calls} or {@code choices[0].delta.tool_calls}. */
        OPENAI,
        /** The call written out as text ({@code {"type":"function","name":…,"parameters":{…}}}), as some models do. */
        TEXT
    }

    /** One tool call the fake model makes; {@code arguments} is JSON text. */
    public record ScriptedToolCall(String name, String arguments) {
    }

    /** One answer made of tool calls. */
    public record ToolTurn(ToolCallForm form, List<ScriptedToolCall> calls) {
        public ToolTurn {
            calls = List.copyOf(calls);
        }

        public static ToolTurn of(ToolCallForm form, String name, String arguments) {
            return new ToolTurn(form, List.of(new ScriptedToolCall(name, arguments)));
        }
    }

    /** A scripted JSON-mode answer; {@code null} for the "couldn't be met" failure. */
    private record JsonAnswer(JsonNode response) {
    }

    /** One valid Aura request; {@code speaker} is the model's default {@code angus} when none was sent. */
    public record AuraCall(String text, String speaker, JsonNode body) {
    }

    /**
     * How Aura's audio is shaped. Which of these the real REST API sends for
     * {@code "encoding":"mulaw","container":"none"} is unconfirmed, so clients must take them all.
     */
    public enum AuraReply {
        /** Raw 8 kHz mu-law, streamed. */
        RAW_MULAW,
        /** A WAV (format 7) holding 8 kHz mu-law. */
        WAV_MULAW,
        /** A WAV holding 16-bit PCM at 8 kHz. */
        WAV_PCM16,
        /** A WAV holding 16-bit PCM at 16 kHz, which a Twilio client cannot play as is. */
        WAV_PCM16_16KHZ,
        /** {@code {"result":{"audio":"<base64 of a mu-law WAV>"},"success":true,…}}. */
        JSON_BASE64_WAV,
        /** A WAV holding 16-bit PCM at 24 kHz (Aura's native rate). */
        WAV_PCM16_24KHZ,
        /** MP3 with an ID3v2 tag, as {@code audio/mpeg}: what the model schema documents. */
        MP3,
        /** MP3 frames with no tag. */
        MP3_UNTAGGED,
        /** {@code {"result":{"audio":"<base64 of an MP3>"}}}, the melotts-style JSON output. */
        JSON_BASE64_MP3,
        /** A Workers AI error envelope with status 200, labelled {@code audio/mpeg}. */
        JSON_ERROR_AS_AUDIO
    }
}
