package dev.voiceagent.twilio;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Twilio ConversationRelay JSON text frames to {@link RelayMessage} records, and the server's messages to JSON.
 * Pure functions: no I/O, no state, so the protocol is tested without sockets and the session never sees JSON.
 *
 * <p>Outbound, only {@code text} and {@code end} are used: {@code text} tokens are sent as the model streams them
 * (never trimmed: their spaces are the spacing of the spoken reply), the last one with {@code last: true};
 * {@code end} closes the session, its optional {@code handoffData} string reaching the {@code <Connect action>}
 * callback as {@code HandoffData}. Twilio answers an invalid message with an {@code error} (64107) and goes on.
 */
public final class RelayCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RelayCodec() {
    }

    /**
     * Decodes one inbound text frame.
     *
     * @throws MalformedFrameException when the frame is not a JSON object, has no {@code type}, or lacks a field
     *                                 its type requires (the message says which)
     */
    public static RelayMessage decode(String text) throws MalformedFrameException {
        JsonNode root = TwilioJson.object(text);
        String type = required(root, "type");
        return switch (type) {
            case "setup" -> setup(root);
            case "prompt" -> new RelayMessage.Prompt(string(root, "voicePrompt"), optional(root, "lang"),
                                                     bool(root, "last", true));
            case "dtmf" -> dtmf(root);
            case "interrupt" -> new RelayMessage.Interrupt(optional(root, "utteranceUntilInterrupt"),
                                                           number(root, "durationUntilInterruptMs"));
            case "error" -> new RelayMessage.Error(optional(root, "description"));
            case "info" -> new RelayMessage.Info(optional(root, "name"), optional(root, "value"));
            default -> new RelayMessage.Unknown(type);
        };
    }

    /** A {@code text} message: one streamed token, sent exactly as given. */
    public static String text(String token, boolean last) {
        ObjectNode m = JSON.createObjectNode();
        m.put("type", "text");
        m.put("token", token);
        m.put("last", last);
        return m.toString();
    }

    /** An {@code end} message, with {@code handoffData} (a string, usually JSON) when given. */
    public static String end(Optional<String> handoffData) {
        ObjectNode m = JSON.createObjectNode();
        m.put("type", "end");
        handoffData.ifPresent(h -> m.put("handoffData", h));
        return m.toString();
    }

    /** {@code {"reasonCode":…,"reason":…}} as a JSON string, the shape Twilio's examples give {@code handoffData}. */
    public static String handoff(String reasonCode, String reason) {
        ObjectNode m = JSON.createObjectNode();
        m.put("reasonCode", reasonCode);
        m.put("reason", reason);
        return m.toString();
    }

    private static RelayMessage.Setup setup(JsonNode root) throws MalformedFrameException {
        String callSid = required(root, "callSid");
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode custom = root.path("customParameters");
        if (!custom.isMissingNode() && !custom.isNull()) {
            if (!custom.isObject()) {
                throw new MalformedFrameException("setup.customParameters is not an object");
            }
            custom.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().isValueNode()
                                                                       ? e.getValue().asText() : e.getValue().toString()));
        }
        return new RelayMessage.Setup(optional(root, "sessionId"), callSid, optional(root, "accountSid"),
                                      optional(root, "from"), optional(root, "to"), optional(root, "direction"), params);
    }

    private static RelayMessage.Dtmf dtmf(JsonNode root) throws MalformedFrameException {
        String digit = required(root, "digit");
        if (!digit.matches("[0-9*#A-Da-d]")) {
            throw new MalformedFrameException("dtmf.digit is not a keypad key: '" + digit + "'");
        }
        return new RelayMessage.Dtmf(digit);
    }

    private static String required(JsonNode node, String field) throws MalformedFrameException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new MalformedFrameException("missing or empty '" + field + "'");
        }
        return v.asText();
    }

    /** A string field that must be present (it may be empty). */
    private static String string(JsonNode node, String field) throws MalformedFrameException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new MalformedFrameException("missing '" + field + "'");
        }
        return v.asText();
    }

    private static String optional(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** A boolean that Twilio may send as {@code true} or {@code "true"}. */
    private static boolean bool(JsonNode node, String field, boolean dflt) throws MalformedFrameException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        throw new MalformedFrameException("'" + field + "' is not a boolean: " + v);
    }

    /** A count Twilio sends as a number in one version of its docs and as a string in another; -1 when absent. */
    private static long number(JsonNode node, String field) throws MalformedFrameException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return -1;
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return Math.round(v.doubleValue());
        }
        try {
            return Long.parseLong(v.asText().strip());
        } catch (NumberFormatException e) {
            throw new MalformedFrameException("'" + field + "' is not a number: " + v);
        }
    }
}
