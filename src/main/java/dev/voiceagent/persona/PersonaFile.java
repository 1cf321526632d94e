package dev.voiceagent.persona;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;

import dev.voiceagent.tools.ToolKit;
import dev.voiceagent.tools.ToolSet;
import dev.voiceagent.tts.Voice;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads and validates a personas YAML file. Every problem is collected and reported together, each
 * naming the persona and the key, so an operator can fix the file in one go.
 *
 * <pre>
 * default: receptionist
 * personas:
 *   - id: receptionist
 *     name: Front desk
 *     numbers: ["+15551230001"]
 *     voice: { id: 21m00Tcm4TlvDq8ikWAM, model: eleven_flash_v2_5, fallback: asteria }
 *     llm: { model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast", temperature: 0.6, maxTokens: 220 }
 *     greeting: ..., reprompt: ..., goodbye: ..., apology: ...
 *     prompt: |
 *       ...
 *     collect: [name, reason for calling]
 *     endWhen: ...
 *     turnTaking: { endOfTurnMs: 600, interruptAfterMs: 200, repromptAfterSeconds: 8, maxCallMinutes: 15 }
 *     memory: full              # full | greet | off (default full)
 *     timezone: America/New_York  # IANA id (default UTC)
 *     digits: masked            # masked | stored (default masked)
 *     transport: media-stream   # media-stream | conversation-relay (default media-stream)
 *     relay:                    # only for conversation-relay: what Twilio listens and speaks with
 *       ttsProvider: ElevenLabs # ElevenLabs | Google | Amazon
 *       voice: UgBBYS2sOqTuMpoF3BR0
 *       transcriptionProvider: Deepgram   # Deepgram | Google
 *       speechModel: nova-3-general
 *       language: en-US
 *       interruptible: any      # none | dtmf | speech | any (true = any, false = none)
 *       hints: [Acme, appointment]
 *     tools:                    # the agent's tools (see ToolKit): built-ins and webhook tools
 *       - builtin: end_call
 *       - name: order_status
 *         description: Looks up an order by its number
 *         parameters: { type: object, properties: { order: { type: string } }, required: [order] }
 *         url: https://example.com/tools/order-status
 *         secretEnv: ORDER_TOOL_SECRET
 *     toolPhrases: { filler: "One moment while I check that.", transfer: "Let me put you through." }
 * </pre>
 */
public final class PersonaFile {

    static final String DEFAULT_VOICE_MODEL = "eleven_flash_v2_5";
    /** The default time zone; a region id, so the prompt says "UTC" rather than "Z". */
    static final ZoneId UTC = ZoneId.of("UTC");
    static final String DEFAULT_LLM = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

    private static final ObjectMapper YAML_TREE = new ObjectMapper();

    private PersonaFile() {
    }

    /**
     * Loads {@code path}.
     *
     * @throws PersonaConfigException naming the file and each problem
     */
    public static Personas load(Path path) {
        return load(path, ToolKit.standard());
    }

    /**
     * Loads {@code path}, building each persona's tools with {@code tools} (which built-ins this server has, and the
     * environment webhook tools read their secrets from).
     *
     * @throws PersonaConfigException naming the file and each problem
     */
    public static Personas load(Path path, ToolKit tools) {
        if (!Files.isRegularFile(path)) {
            throw new PersonaConfigException(path + ": personas file not found");
        }
        Config root;
        try {
            root = Config.just(ConfigSources.file(path));
            root.traverse().count(); // forces the parse now, so syntax errors surface here
        } catch (ConfigException e) {
            throw new PersonaConfigException(path + ": not valid YAML: " + rootCause(e), e);
        }
        List<String> problems = new ArrayList<>();
        JsonNode typed = typedTree(path);
        List<Persona> personas = new ArrayList<>();
        List<Config> nodes = root.get("personas").asNodeList().orElse(List.of());
        if (nodes.isEmpty()) {
            problems.add("'personas' must be a non-empty list");
        }
        Set<String> ids = new HashSet<>();
        Set<String> numbers = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Config node = nodes.get(i);
            String where = "personas[" + i + "]";
            String id = node.get("id").asString().orElse("");
            if (!id.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
                problems.add(where + ".id must be lower-case letters, digits, '-' or '_' (got '" + id + "')");
            } else {
                where = "persona '" + id + "'";
                if (!ids.add(id)) {
                    problems.add(where + " is defined twice");
                }
            }
            JsonNode raw = typed.path("personas").path(i);
            ToolSet toolSet = tools.build(raw.path("tools"), raw.path("toolPhrases"), where, problems);
            Persona persona = persona(node, id, where, problems, toolSet);
            for (String n : persona.numbers()) {
                if (!numbers.add(Personas.normalise(n))) {
                    problems.add(where + ": number " + n + " is already assigned to another persona");
                }
            }
            personas.add(persona);
        }
        String defaultId = root.get("default").asString()
                .orElse(personas.isEmpty() ? "" : personas.getFirst().id());
        if (!personas.isEmpty() && !ids.contains(defaultId)) {
            problems.add("'default' names persona '" + defaultId + "', which is not defined");
        }
        if (!problems.isEmpty()) {
            throw new PersonaConfigException(path + ": " + String.join("; ", problems));
        }
        return new Personas(personas, defaultId);
    }

    /**
     * The file as a typed tree (numbers, booleans and lists kept), for the parts Helidon Config would flatten to
     * strings: tool declarations and their JSON Schemas. The file already parsed as YAML, so this does too.
     */
    private static JsonNode typedTree(Path path) {
        try {
            Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(path));
            return tree == null ? MissingNode.getInstance() : YAML_TREE.valueToTree(tree);
        } catch (IOException | RuntimeException e) {
            throw new PersonaConfigException(path + ": not valid YAML: " + rootCause(e), e);
        }
    }

    private static Persona persona(Config node, String id, String where, List<String> problems, ToolSet tools) {
        Config voice = node.get("voice");
        Voice v = new Voice(required(voice.get("id"), where + ": voice.id", problems),
                            voice.get("model").asString().orElse(DEFAULT_VOICE_MODEL),
                            fraction(voice.get("stability"), 0.5, where + ": voice.stability", problems),
                            fraction(voice.get("similarity"), 0.75, where + ": voice.similarity", problems),
                            fraction(voice.get("style"), 0.0, where + ": voice.style", problems),
                            range(voice.get("speed"), 1.0, 0.7, 1.2, where + ": voice.speed", problems),
                            voice.get("fallback").asString().orElse("asteria"));
        Config llm = node.get("llm");
        String sttModel = node.get("stt.model").asString().map(String::strip).orElse(Stt.defaults().model());
        if (!Stt.known(sttModel)) {
            problems.add(where + ": stt.model must be " + Stt.NOVA3 + ", " + Stt.FLUX + " or a Whisper model such as"
                         + " @cf/openai/whisper-large-v3-turbo (got '" + sttModel + "')");
            sttModel = Stt.defaults().model();
        }
        Stt stt = new Stt(sttModel);
        TurnTaking defaults = TurnTaking.defaults();
        Config turn = node.get("turnTaking");
        TurnTaking turnTaking = new TurnTaking(
                millis(turn.get("endOfTurnMs"), defaults.endOfTurn(), 200, 3000, where + ": turnTaking.endOfTurnMs", problems),
                millis(turn.get("minSpeechMs"), defaults.minSpeech(), 40, 1000, where + ": turnTaking.minSpeechMs", problems),
                millis(turn.get("interruptAfterMs"), defaults.interruptAfter(), 60, 2000, where + ": turnTaking.interruptAfterMs", problems),
                turn.get("interruptible").asBoolean().orElse(defaults.interruptible()),
                Duration.ofSeconds((long) range(turn.get("repromptAfterSeconds"), defaults.repromptAfter().toSeconds(), 2, 120,
                                                where + ": turnTaking.repromptAfterSeconds", problems)),
                Duration.ofSeconds((long) (60 * range(turn.get("maxCallMinutes"), defaults.maxCallLength().toMinutes(), 0.1, 240,
                                                      where + ": turnTaking.maxCallMinutes", problems))),
                speculation(turn, stt, where, problems));
        return new Persona(id,
                           node.get("name").asString().orElse(id),
                           node.get("numbers").asList(String.class).orElse(List.of()),
                           v,
                           llm.get("model").asString().orElse(DEFAULT_LLM),
                           range(llm.get("temperature"), 0.6, 0, 2, where + ": llm.temperature", problems),
                           (int) range(llm.get("maxTokens"), 220, 16, 2048, where + ": llm.maxTokens", problems),
                           required(node.get("prompt"), where + ": prompt", problems),
                           collect(node.get("collect"), where, problems),
                           node.get("endWhen").asString().orElse(""),
                           required(node.get("greeting"), where + ": greeting", problems),
                           node.get("returningGreeting").asString().orElse(""),
                           node.get("reprompt").asString().orElse("Are you still there?"),
                           node.get("goodbye").asString().orElse("Thanks for calling. Goodbye!"),
                           node.get("apology").asString().orElse("Sorry, I didn't catch that. Could you say it again?"),
                           node.get("tags").asList(String.class).orElse(List.of()),
                           turnTaking,
                           stt,
                           choice(node.get("memory"), CallerMemory.FULL, CallerMemory::parse, "full, greet or off",
                                  where + ": memory", problems),
                           timeZone(node.get("timezone"), where + ": timezone", problems),
                           choice(node.get("digits"), DigitPolicy.MASKED, DigitPolicy::parse, "masked or stored",
                                  where + ": digits", problems),
                           choice(node.get("transport"), Transport.MEDIA_STREAM, Transport::parse,
                                  "media-stream or conversation-relay", where + ": transport", problems),
                           relay(node.get("relay"), v, where, problems),
                           tools);
    }

    /** The {@code relay:} block; every key optional, each checked against what Twilio accepts. */
    private static RelaySettings relay(Config node, Voice voice, String where, List<String> problems) {
        RelaySettings d = RelaySettings.defaults();
        String at = where + ": relay.";
        if (node.exists() && node.type() != Config.Type.OBJECT) {
            problems.add(where + ": relay must be a map of ConversationRelay settings");
            return d;
        }
        String tts = oneOf(node.get("ttsProvider"), d.ttsProvider(), RelaySettings.TTS_PROVIDERS, at + "ttsProvider", problems);
        String stt = oneOf(node.get("transcriptionProvider"), d.transcriptionProvider(), RelaySettings.STT_PROVIDERS,
                           at + "transcriptionProvider", problems);
        String voiceName = attribute(node.get("voice"), at + "voice", problems)
                .orElse(tts.equals("ElevenLabs") ? voice.voiceId() : "");
        String model = attribute(node.get("speechModel"), at + "speechModel", problems).orElse(d.speechModel());
        String language = attribute(node.get("language"), at + "language", problems).orElse(d.language());
        if (!language.matches("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*|multi")) {
            problems.add(at + "language must be a language tag such as en-US (got '" + language + "')");
            language = d.language();
        }
        RelaySettings.Interruptible interruptible = choice(node.get("interruptible"), d.interruptible(),
                                                           RelaySettings.Interruptible::parse,
                                                           "none, dtmf, speech, any, true or false",
                                                           at + "interruptible", problems);
        List<String> hints = new ArrayList<>();
        Config hintNode = node.get("hints");
        if (hintNode.exists()) {
            for (String hint : hintNode.asList(String.class).orElseGet(
                    () -> hintNode.asString().map(s -> List.of(s.split(","))).orElse(List.of()))) {
                String h = hint.strip();
                if (h.isEmpty() || h.contains(",") || h.length() > 100) {
                    problems.add(at + "hints must be phrases of 1 to 100 characters without commas (got '" + hint + "')");
                } else {
                    hints.add(h);
                }
            }
        }
        return new RelaySettings(tts, voiceName, stt, model, language, interruptible, hints);
    }

    /** A provider name, matched case-insensitively and returned in Twilio's spelling. */
    private static String oneOf(Config node, String dflt, List<String> allowed, String what, List<String> problems) {
        if (!node.exists()) {
            return dflt;
        }
        String value = node.asString().orElse("").strip();
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value)) {
                return a;
            }
        }
        problems.add(what + " must be " + String.join(", ", allowed) + " (got '" + value + "')");
        return dflt;
    }

    /** A free-text TwiML attribute: one line, at most 200 characters. */
    private static Optional<String> attribute(Config node, String what, List<String> problems) {
        if (!node.exists()) {
            return Optional.empty();
        }
        String value = node.asString().orElse("").strip();
        if (value.isEmpty() || value.length() > 200 || value.chars().anyMatch(Character::isISOControl)) {
            problems.add(what + " must be one line of 1 to 200 characters (got '" + value + "')");
            return Optional.empty();
        }
        return Optional.of(value);
    }

    private static <T> T choice(Config node, T dflt, java.util.function.Function<String, Optional<T>> parse,
                                String allowed, String what, List<String> problems) {
        if (!node.exists()) {
            return dflt;
        }
        String value = node.asString().orElse("");
        Optional<T> parsed = parse.apply(value);
        if (parsed.isEmpty()) {
            problems.add(what + " must be " + allowed + " (got '" + value + "')");
        }
        return parsed.orElse(dflt);
    }

    /** An IANA time zone id such as {@code America/New_York}, or {@code UTC}; offsets like {@code +02:00} are refused. */
    private static ZoneId timeZone(Config node, String what, List<String> problems) {
        if (!node.exists()) {
            return UTC;
        }
        String value = node.asString().orElse("").strip();
        if (value.equals("UTC")) {
            return UTC;
        }
        if (!ZoneId.getAvailableZoneIds().contains(value) || !value.contains("/")) {
            problems.add(what + " must be an IANA time zone id such as America/New_York or UTC (got '" + value + "')");
            return UTC;
        }
        return ZoneId.of(value);
    }

    /**
     * {@code collect} items are either words ({@code - the caller's full name}, key made from them) or one
     * {@code key: words} pair ({@code - name: the caller's full name}), the key naming the stored fact.
     */
    private static List<FactSpec> collect(Config node, String where, List<String> problems) {
        List<FactSpec> facts = new ArrayList<>();
        if (!node.exists()) {
            return facts;
        }
        List<Config> items = node.asNodeList().orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            Config item = items.get(i);
            String at = where + ": collect[" + i + "]";
            try {
                if (item.type() == Config.Type.VALUE) {
                    facts.add(FactSpec.described(item.asString().get()));
                } else if (item.type() == Config.Type.OBJECT && item.asNodeList().get().size() == 1) {
                    Config pair = item.asNodeList().get().getFirst();
                    facts.add(new FactSpec(pair.name(), pair.asString().get().strip()));
                } else {
                    problems.add(at + " must be words or one 'key: words' pair");
                }
            } catch (IllegalArgumentException | ConfigException e) {
                problems.add(at + ": " + e.getMessage());
            }
        }
        Set<String> seen = new HashSet<>();
        for (FactSpec f : facts) {
            if (!seen.add(f.key())) {
                problems.add(where + ": collect has the key '" + f.key() + "' twice");
            }
        }
        return facts;
    }

    /**
     * With live transcription a speculation costs no extra transcription, so it starts at the first real pause
     * (100 ms); with batch Whisper each one is a Whisper request, so it waits 200 ms.
     */
    private static TurnTaking.Speculation speculation(Config turn, Stt stt, String where, List<String> problems) {
        TurnTaking.Speculation d = stt.streaming() ? TurnTaking.Speculation.streamingDefaults()
                                                   : TurnTaking.Speculation.defaults();
        Config node = turn.get("speculation");
        String at = where + ": turnTaking.speculation.";
        boolean enabled = node.get("enabled").asBoolean().orElse(d.enabled());
        Duration endOfTurn = millis(turn.get("endOfTurnMs"), TurnTaking.defaults().endOfTurn(), 200, 3000, at, new ArrayList<>());
        Duration min = millis(node.get("endOfTurnMinMs"), d.endOfTurnMin().compareTo(endOfTurn) > 0 ? endOfTurn : d.endOfTurnMin(),
                              200, 3000, at + "endOfTurnMinMs", problems);
        Duration max = millis(node.get("endOfTurnMaxMs"), d.endOfTurnMax().compareTo(endOfTurn) < 0 ? endOfTurn : d.endOfTurnMax(),
                              200, 5000, at + "endOfTurnMaxMs", problems);
        if (min.compareTo(endOfTurn) > 0 || max.compareTo(endOfTurn) < 0) {
            problems.add(at + "endOfTurnMinMs <= turnTaking.endOfTurnMs <= endOfTurnMaxMs is required (got "
                         + min.toMillis() + ", " + endOfTurn.toMillis() + ", " + max.toMillis() + ")");
        }
        return new TurnTaking.Speculation(enabled,
                                          millis(node.get("afterMs"), d.after(), 100, 2000, at + "afterMs", problems),
                                          (int) range(node.get("maxPerTurn"), d.maxPerTurn(), 0, 5, at + "maxPerTurn", problems),
                                          min, max);
    }

    private static String required(Config node, String what, List<String> problems) {
        Optional<String> value = node.asString().map(String::strip).filter(s -> !s.isEmpty());
        if (value.isEmpty()) {
            problems.add(what + " is required");
        }
        return value.orElse("");
    }

    private static double fraction(Config node, double dflt, String what, List<String> problems) {
        return range(node, dflt, 0, 1, what, problems);
    }

    private static double range(Config node, double dflt, double min, double max, String what, List<String> problems) {
        if (!node.exists()) {
            return dflt;
        }
        try {
            double v = node.asDouble().get();
            if (v < min || v > max) {
                problems.add(what + " must be between " + fmt(min) + " and " + fmt(max) + " (got " + fmt(v) + ")");
                return dflt;
            }
            return v;
        } catch (ConfigException e) {
            problems.add(what + " must be a number (got '" + node.asString().orElse("?") + "')");
            return dflt;
        }
    }

    private static Duration millis(Config node, Duration dflt, long min, long max, String what, List<String> problems) {
        return Duration.ofMillis((long) range(node, dflt.toMillis(), min, max, what, problems));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        return msg.replaceAll("\\s+", " ").strip();
    }
}
