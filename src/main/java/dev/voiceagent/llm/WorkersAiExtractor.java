package dev.voiceagent.llm;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voiceagent.persona.FactSpec;
import dev.voiceagent.vendor.CloudflareAccount;
import dev.voiceagent.vendor.VendorException;
import dev.voiceagent.vendor.VendorHttp;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * {@link CallExtractor} on a Cloudflare Workers AI text-generation model in JSON mode
 * (https://developers.cloudflare.com/workers-ai/features/json-mode/).
 * <pre>
 * POST {apiBase}/accounts/{account_id}/ai/run/{model}   Authorization: Bearer {token}
 * {"messages":[{"role":"system","content":"…"},{"role":"user","content":"{transcript}"}],
 *  "response_format":{"type":"json_schema","json_schema":{"type":"object","properties":{"summary":…,"facts":…},…}},
 *  "max_tokens":…,"temperature":0.1}
 * 200 {"result":{"response":{"summary":"…","facts":{"name":"…"}}},"success":true,"errors":[],"messages":[]}
 * </pre>
 * JSON mode does not stream, and its {@code result.response} is an object, not a string. Leniency where models and
 * API versions differ: a {@code response} that is a string holding JSON (possibly in a Markdown code fence) is parsed,
 * an OpenAI-style {@code result.choices[0].message.content} is accepted, and facts placed beside {@code summary}
 * instead of inside {@code facts} are found. Only the asked-for keys are kept, and values that only say the fact is
 * unknown ("unknown", "N/A", "not mentioned", …) are dropped, since an absent fact is how {@link Extraction} says so.
 * <p>
 * When the model cannot produce the schema, Workers AI answers with the error {@code JSON Mode couldn't be met}
 * (documented; its status and error code are <b>unconfirmed</b>): it is {@code BAD_RESPONSE} at any status, like
 * {@code "success": false}. Other errors map as in {@link VendorHttp}. One request, no retries (apart from
 * {@link VendorHttp}'s pooled-connection repair).
 */
public final class WorkersAiExtractor implements CallExtractor {

    /** Low, because the facts should be the caller's words, not variations on them. */
    static final double TEMPERATURE = 0.1;
    /** Room for a paragraph and a dozen short facts; the non-streamed output is capped by the API anyway. */
    static final int MAX_TOKENS = 768;

    private static final Pattern CODE_FENCE = Pattern.compile("^```(?:json)?\\s*|\\s*```$");
    private static final Pattern NOT_A_WORD = Pattern.compile("[^a-z0-9 ]+");
    /** What models write instead of leaving a fact out, after lower-casing and dropping punctuation. */
    private static final Set<String> UNKNOWN = Set.of("", "unknown", "na", "n a", "null", "nil", "undefined",
            "unspecified", "not specified", "not provided", "not mentioned", "not stated", "not given", "not known",
            "not available", "not applicable", "not discussed", "not revealed", "not disclosed", "undisclosed",
            "none provided", "none given", "none mentioned", "no information", "tbd");

    private final CloudflareAccount account;
    private final VendorHttp http;

    /** @param timeout limit for the connect and for the wait for the (whole, unstreamed) answer */
    public WorkersAiExtractor(CloudflareAccount account, Duration timeout) {
        this.account = Objects.requireNonNull(account, "account");
        Objects.requireNonNull(timeout, "timeout");
        this.http = new VendorHttp("cloudflare", VendorHttp.Resend.UNANSWERED, timeout, timeout, account.apiToken());
    }

    @Override
    public Extraction extract(String model, List<FactSpec> facts, String transcript) {
        Objects.requireNonNull(facts, "facts");
        if (transcript == null || transcript.isBlank()) {
            return new Extraction("", Map.of()); // nothing was said, so there is nothing to ask a model about
        }
        if (!account.configured()) {
            throw http.unconfigured("Cloudflare account");
        }
        Map<String, FactSpec> byKey = new LinkedHashMap<>();
        facts.forEach(fact -> byKey.putIfAbsent(fact.key(), fact));
        Supplier<HttpClientRequest> request = () -> http.post(account.runUri(model))
                .header(HeaderNames.AUTHORIZATION, "Bearer " + account.apiToken())
                .accept(MediaTypes.APPLICATION_JSON)
                .contentType(MediaTypes.APPLICATION_JSON);
        String body = body(byKey, transcript);
        try (HttpClientResponse response = http.send(request, body)) {
            int status = response.status().code();
            return extraction(status, http.parse(status, http.text(response)), byKey);
        } catch (VendorException e) {
            throw jsonModeFailure(e) && e.kind() != VendorException.Kind.BAD_RESPONSE
                    ? new VendorException(e.vendor(), VendorException.Kind.BAD_RESPONSE, e.status(),
                            "JSON mode could not be met", e)
                    : e;
        }
    }

    private String body(Map<String, FactSpec> facts, String transcript) {
        ObjectNode body = http.json().createObjectNode();
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", systemPrompt(facts));
        messages.addObject().put("role", "user").put("content", transcript.strip());
        ObjectNode format = body.putObject("response_format").put("type", "json_schema");
        format.set("json_schema", schema(facts));
        return body.put("max_tokens", MAX_TOKENS).put("temperature", TEMPERATURE).toString();
    }

    /**
     * {@code summary} is required; so is the {@code facts} object, to keep its shape, but none of its keys: a call
     * may not reveal them, and a required key invites the model to make one up. No {@code additionalProperties}:
     * whether Workers AI's decoder takes it is unconfirmed, and stray keys are dropped here anyway.
     */
    private ObjectNode schema(Map<String, FactSpec> facts) {
        ObjectNode schema = http.json().createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("summary").put("type", "string")
                .put("description", "One short paragraph: who called, why, and what was agreed or is still open.");
        ObjectNode factsSchema = properties.putObject("facts").put("type", "object")
                .put("description", "Only what the caller actually said; leave out anything the call did not reveal.");
        ObjectNode factProperties = factsSchema.putObject("properties");
        facts.values().forEach(fact ->
                factProperties.putObject(fact.key()).put("type", "string").put("description", fact.description()));
        schema.putArray("required").add("summary").add("facts");
        return schema;
    }

    /** The schema's descriptions, in words too: not every model reads them from the schema. */
    private static String systemPrompt(Map<String, FactSpec> facts) {
        StringBuilder prompt = new StringBuilder("""
                You read the transcript of a phone call between a caller and an AI phone agent ("Agent"). \
                Answer with a JSON object only. "summary": one short paragraph on who called, why, and what was \
                agreed or is still open. "facts": an object with the facts below that the caller revealed, as \
                short plain text in the caller's own terms. Leave a fact out when the call did not reveal it; \
                never guess and never write placeholders such as "unknown".
                Facts:""");
        if (facts.isEmpty()) {
            prompt.append(" none; give an empty object.");
        }
        facts.values().forEach(fact -> prompt.append("\n- ").append(fact.key()).append(": ").append(fact.description()));
        return prompt.toString();
    }

    private Extraction extraction(int status, JsonNode envelope, Map<String, FactSpec> facts) {
        if (envelope.path("success").isBoolean() && !envelope.path("success").asBoolean()) {
            throw http.badResponse(status, "success=false: " + http.errorDetail(envelope.toString()));
        }
        JsonNode answer = answerObject(status, envelope.path("result"));
        JsonNode summary = answer.path("summary");
        if (!summary.isTextual()) {
            throw http.badResponse(status, "the answer has no summary");
        }
        JsonNode found = answer.path("facts").isObject() ? answer.path("facts") : answer;
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : facts.keySet()) {
            JsonNode value = found.path(key);
            if (value.isTextual() || value.isNumber() || value.isBoolean()) {
                String text = value.asText().strip();
                if (!saysUnknown(text)) {
                    values.put(key, text);
                }
            }
        }
        return new Extraction(summary.asText().strip(), values);
    }

    /** {@code result.response} as an object, whichever of the shapes described above it came in. */
    private JsonNode answerObject(int status, JsonNode result) {
        JsonNode response = result.path("response");
        if (response.isMissingNode() || response.isNull()) {
            response = result.path("choices").path(0).path("message").path("content");
        }
        if (response.isTextual()) {
            String text = CODE_FENCE.matcher(response.asText().strip()).replaceAll("");
            try {
                response = http.json().readTree(text);
            } catch (IOException e) {
                throw http.badResponse(status, "result.response is text, not JSON");
            }
        }
        if (response == null || !response.isObject()) {
            throw http.badResponse(status, "result.response is not a JSON object");
        }
        return response;
    }

    static boolean saysUnknown(String value) {
        String words = NOT_A_WORD.matcher(value.toLowerCase(Locale.ROOT).replace('/', ' ')).replaceAll("")
                .strip().replaceAll("\\s+", " ");
        return UNKNOWN.contains(words);
    }

    private static boolean jsonModeFailure(VendorException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("json mode couldn't be met") || message.contains("json mode could not be met");
    }
}
