package dev.voiceagent.tools;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Builds a persona's {@link ToolSet} from its {@code tools:} list and {@code toolPhrases:} block, checking every
 * declaration: built-ins must be known, available on this server ({@link BuiltinTools}) and have valid options
 * ({@link BuiltinTool#problems}); webhook tools need a name, a description, a JSON Schema object for
 * {@code parameters}, an http(s) {@code url}, and every environment variable they name must be set. Names are
 * unique. Each problem is one sentence naming the tool, added to {@code problems}; secrets are never in one.
 * <p>
 * Runs on the thread that loads the personas file; reads the environment through the function it was given.
 * Thread-safe (no state beyond its constructor arguments).
 *
 * <pre>
 * tools:
 *   - builtin: end_call
 *   - name: order_status
 *     description: "Looks up an order by its number"
 *     parameters: { type: object, properties: { order: { type: string } }, required: [order] }
 *     url: https://example.com/tools/order-status
 *     method: POST              # POST (default), PUT or PATCH
 *     timeoutMs: 3000           # 100..30000, default 5000
 *     headers: { X-Api-Key: { env: ORDER_API_KEY }, X-Shop: "main" }
 *     secretEnv: ORDER_TOOL_SECRET
 * toolPhrases: { filler: "One moment while I check that.", transfer: "Let me put you through.",
 *                transferFailed: "Sorry, I couldn't put you through." }
 * </pre>
 */
public final class ToolKit {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Set<String> WEBHOOK_KEYS = Set.of("name", "description", "parameters", "url", "method",
                                                           "timeoutMs", "headers", "secretEnv");
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "host", "connection",
                                                               "transfer-encoding", "accept");
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH");
    private static final int MAX_TOOLS = 16;

    private final BuiltinTools builtins;
    private final Function<String, Optional<String>> env;
    private final Clock clock;

    /**
     * @param builtins makes the built-ins this server has
     * @param env      reads an environment variable (empty when unset)
     */
    public ToolKit(BuiltinTools builtins, Function<String, Optional<String>> env, Clock clock) {
        this.builtins = Objects.requireNonNull(builtins, "builtins");
        this.env = Objects.requireNonNull(env, "env");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@code end_call} as the only built-in, the process environment. */
    public static ToolKit standard() {
        return new ToolKit(BuiltinTools.endCallOnly(), name -> Optional.ofNullable(System.getenv(name)),
                           Clock.systemUTC());
    }

    /**
     * The tool set declared by {@code tools} (a list, or missing) and {@code phrases} (an object, or missing).
     *
     * @param where    how problems name the persona, e.g. {@code persona 'receptionist'}
     * @param problems where each problem is added
     */
    public ToolSet build(JsonNode tools, JsonNode phrases, String where, List<String> problems) {
        String filler = phrase(phrases, "filler", ToolSet.DEFAULT_FILLER, where, problems);
        String transfer = phrase(phrases, "transfer", ToolSet.DEFAULT_TRANSFER_LINE, where, problems);
        String transferFailed = phrase(phrases, "transferFailed", ToolSet.DEFAULT_TRANSFER_FAILED_LINE, where, problems);
        if (phrases != null && !phrases.isMissingNode() && !phrases.isNull()) {
            if (!phrases.isObject()) {
                problems.add(where + ": toolPhrases must be a map with filler and transfer");
            } else {
                phrases.fieldNames().forEachRemaining(key -> {
                    if (!key.equals("filler") && !key.equals("transfer") && !key.equals("transferFailed")) {
                        problems.add(where + ": toolPhrases." + key + " is not a known key (filler, transfer, transferFailed)");
                    }
                });
            }
        }
        if (tools == null || tools.isMissingNode() || tools.isNull()) {
            return new ToolSet(List.of(), filler, transfer, transferFailed);
        }
        if (!tools.isArray()) {
            problems.add(where + ": tools must be a list of '- builtin: <name>' or '- name: <tool>' entries");
            return new ToolSet(List.of(), filler, transfer, transferFailed);
        }
        if (tools.size() > MAX_TOOLS) {
            problems.add(where + ": tools has " + tools.size() + " entries; at most " + MAX_TOOLS + " are allowed");
        }
        List<Tool> built = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode item = tools.get(i);
            String at = where + ": tools[" + i + "]";
            Optional<Tool> tool;
            if (!item.isObject()) {
                problems.add(at + " must be a map ('- builtin: <name>' or '- name: <tool>')");
                continue;
            } else if (item.has("builtin")) {
                tool = builtin(item, at, where, problems);
            } else if (item.has("name")) {
                tool = webhook(item, at, where, problems);
            } else {
                problems.add(at + " needs 'builtin:' (a built-in tool) or 'name:' (a webhook tool)");
                continue;
            }
            tool.ifPresent(t -> {
                if (!names.add(t.spec().name())) {
                    problems.add(where + ": tool " + t.spec().name() + " is declared twice");
                } else {
                    built.add(t);
                }
            });
        }
        return new ToolSet(built, filler, transfer, transferFailed);
    }

    private Optional<Tool> builtin(JsonNode item, String at, String where, List<String> problems) {
        String wire = item.path("builtin").asText("");
        Optional<BuiltinTool> kind = BuiltinTool.byWireName(wire);
        if (kind.isEmpty()) {
            problems.add(at + ": unknown built-in tool '" + wire + "' (known: "
                         + String.join(", ", Arrays.stream(BuiltinTool.values()).map(BuiltinTool::wireName).toList()) + ")");
            return Optional.empty();
        }
        String named = where + ": tool " + wire;
        Map<String, String> options = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, JsonNode> e : item.properties()) {
            if (e.getKey().equals("builtin")) {
                continue;
            }
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                problems.add(named + ": option " + e.getKey() + " must be a single value");
                ok = false;
            } else {
                options.put(e.getKey(), e.getValue().asText());
            }
        }
        List<String> wrong = kind.get().problems(options);
        wrong.forEach(p -> problems.add(where + ": " + p));
        if (!ok || !wrong.isEmpty()) {
            return Optional.empty();
        }
        try {
            Optional<Tool> tool = builtins.create(kind.get(), Map.copyOf(options));
            if (tool.isEmpty()) {
                problems.add(named + " is not available on this server");
            } else if (!tool.get().spec().name().equals(wire)) {
                problems.add(named + ": its implementation calls itself " + tool.get().spec().name());
                return Optional.empty();
            }
            return tool;
        } catch (IllegalArgumentException | IllegalStateException e) {
            problems.add(named + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Tool> webhook(JsonNode item, String at, String where, List<String> problems) {
        String name = item.path("name").asText("");
        if (!item.path("name").isTextual() || !NAME.matcher(name).matches()) {
            problems.add(at + ".name must be 1 to 64 letters, digits, '_' or '-' (got '" + name + "')");
            return Optional.empty();
        }
        String named = where + ": tool " + name;
        int before = problems.size();
        if (BuiltinTool.byWireName(name).isPresent()) {
            problems.add(named + " has a built-in's name; declare it as '- builtin: " + name + "'");
        }
        item.fieldNames().forEachRemaining(key -> {
            if (!WEBHOOK_KEYS.contains(key)) {
                problems.add(named + ": '" + key + "' is not a known key (" + String.join(", ", WEBHOOK_KEYS.stream().sorted().toList()) + ")");
            }
        });
        String description = item.path("description").asText("").strip();
        if (!item.path("description").isTextual() || description.isEmpty()) {
            problems.add(named + ": description is required (it tells the model when to use the tool)");
        }
        JsonNode parameters = item.path("parameters");
        schemaProblems(parameters).ifPresent(p -> problems.add(named + ": parameters " + p));
        URI url = url(item.path("url"), named, problems);
        String method = item.path("method").asText("POST").strip().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            problems.add(named + ": method must be POST, PUT or PATCH (got '" + item.path("method").asText() + "')");
        }
        long timeoutMs = 5000;
        if (item.has("timeoutMs")) {
            JsonNode t = item.path("timeoutMs");
            if (!t.canConvertToLong() || t.asLong() < 100 || t.asLong() > 30_000) {
                problems.add(named + ": timeoutMs must be a number from 100 to 30000 (got '" + t.asText() + "')");
            } else {
                timeoutMs = t.asLong();
            }
        }
        Map<String, String> headers = headers(item.path("headers"), named, problems);
        String secret = "";
        if (item.has("secretEnv")) {
            String var = item.path("secretEnv").asText("");
            if (!ENV.matcher(var).matches()) {
                problems.add(named + ": secretEnv must name an environment variable (got '" + var + "')");
            } else {
                Optional<String> value = env.apply(var).filter(v -> !v.isBlank());
                if (value.isEmpty()) {
                    problems.add(named + ": secretEnv " + var + " is not set");
                } else {
                    secret = value.get();
                }
            }
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new WebhookTool(new ToolSpec(name, description, parameters.deepCopy()), url, method,
                                           Duration.ofMillis(timeoutMs), headers, secret, clock));
    }

    private static URI url(JsonNode node, String named, List<String> problems) {
        String text = node.asText("").strip();
        try {
            URI url = new URI(text);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && url.getHost() != null && url.getUserInfo() == null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        problems.add(named + ": url must be an absolute http(s) URL without credentials (got '" + text + "')");
        return null;
    }

    /** Header values: a literal string, or {@code {env: NAME}} read from the environment (for secrets). */
    private Map<String, String> headers(JsonNode node, String named, List<String> problems) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return headers;
        }
        if (!node.isObject()) {
            problems.add(named + ": headers must be a map of header name to a value or {env: NAME}");
            return headers;
        }
        for (Map.Entry<String, JsonNode> h : node.properties()) {
            String header = h.getKey();
            String lower = header.toLowerCase(Locale.ROOT);
            if (!HEADER.matcher(header).matches() || RESERVED_HEADERS.contains(lower) || lower.startsWith("x-voice-agent-")) {
                problems.add(named + ": header " + header + " cannot be set (not a header name, or set by the server)");
                continue;
            }
            JsonNode value = h.getValue();
            if (value.isObject() && value.size() == 1 && value.path("env").isTextual()) {
                String var = value.path("env").asText();
                Optional<String> set = env.apply(var).filter(v -> !v.isBlank());
                if (!ENV.matcher(var).matches()) {
                    problems.add(named + ": header " + header + " env must name an environment variable (got '" + var + "')");
                } else if (set.isEmpty()) {
                    problems.add(named + ": header " + header + " needs " + var + ", which is not set");
                } else if (set.get().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    problems.add(named + ": header " + header + ": " + var + " holds control characters");
                } else {
                    headers.put(header, set.get());
                }
            } else if (value.isValueNode() && !value.isNull()
                       && value.asText().chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
                headers.put(header, value.asText());
            } else {
                problems.add(named + ": header " + header + " must be a one-line value or {env: NAME}");
            }
        }
        return headers;
    }

    /** What is wrong with a tool's {@code parameters}, if anything: it must be a JSON Schema of an object. */
    static Optional<String> schemaProblems(JsonNode schema) {
        if (!schema.isObject()) {
            return Optional.of("must be a JSON Schema object ({ type: object, properties: {...} })");
        }
        if (!schema.path("type").asText("").equals("object")) {
            return Optional.of("must have type: object (got '" + schema.path("type").asText("") + "')");
        }
        JsonNode properties = schema.path("properties");
        if (!properties.isMissingNode() && !properties.isObject()) {
            return Optional.of("properties must be a map of argument name to schema");
        }
        for (Map.Entry<String, JsonNode> p : properties.properties()) {
            JsonNode type = p.getValue().path("type");
            if (!p.getValue().isObject() || !(type.isTextual() || type.isArray())) {
                return Optional.of("property " + p.getKey() + " must be a schema with a type");
            }
        }
        JsonNode required = schema.path("required");
        if (!required.isMissingNode()) {
            if (!required.isArray()) {
                return Optional.of("required must be a list of property names");
            }
            for (JsonNode r : required) {
                if (!r.isTextual() || !properties.has(r.asText())) {
                    return Optional.of("required names '" + r.asText() + "', which is not in properties");
                }
            }
        }
        return Optional.empty();
    }

    private static String phrase(JsonNode phrases, String key, String dflt, String where, List<String> problems) {
        if (phrases == null || !phrases.isObject() || !phrases.has(key)) {
            return dflt;
        }
        String value = phrases.path(key).asText("").strip();
        if (value.isEmpty() || value.length() > 300) {
            problems.add(where + ": toolPhrases." + key + " must be 1 to 300 characters");
            return dflt;
        }
        return value;
    }
}
