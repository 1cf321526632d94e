package dev.voiceagent.fakes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.fakes.ServerMessage.Clear;
import dev.voiceagent.fakes.ServerMessage.Invalid;
import dev.voiceagent.fakes.ServerMessage.Mark;
import dev.voiceagent.fakes.ServerMessage.Media;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;

/**
 * Validates server frames the way Twilio validates a bidirectional stream: only {@code media},
 * {@code mark} and {@code clear} exist, each with exactly its documented fields and our {@code streamSid}.
 * Anything else is {@link Invalid} (Twilio error 31951) and must not be acted on, as Twilio drops it.
 */
final class ServerMessageParser {

    /** Thread-safe once configured, and never reconfigured. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerMessageParser() {
    }

    /** Parses and validates {@code text}, which must belong to stream {@code streamSid}. */
    static ServerMessage parse(String text, String streamSid) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return invalid("not JSON", text);
        }
        if (root == null || !root.isObject()) {
            return invalid("not a JSON object", text);
        }
        JsonNode event = root.get("event");
        if (event == null || !event.isTextual()) {
            return invalid("missing event", text);
        }
        ServerMessage message = switch (event.asText()) {
            case "media" -> media(root, text);
            case "mark" -> mark(root, text);
            case "clear" -> fields(root, Set.of("event", "streamSid"), text, new Clear());
            default -> invalid("unknown event '" + event.asText() + "'", text);
        };
        if (message instanceof Invalid) {
            return message;
        }
        JsonNode sid = root.get("streamSid");
        if (sid == null || !sid.isTextual()) {
            return invalid("missing streamSid", text);
        }
        if (!sid.asText().equals(streamSid)) {
            return invalid("wrong streamSid " + sid.asText() + " (expected " + streamSid + ")", text);
        }
        return message;
    }

    private static ServerMessage media(JsonNode root, String text) {
        JsonNode media = root.get("media");
        if (media == null || !media.isObject()) {
            return invalid("media without a media object", text);
        }
        JsonNode payload = media.get("payload");
        if (payload == null || !payload.isTextual()) {
            return invalid("media without media.payload", text);
        }
        byte[] audio;
        try {
            audio = Base64.getDecoder().decode(payload.asText());
        } catch (IllegalArgumentException e) {
            return invalid("media.payload is not base64", text);
        }
        ServerMessage ok = fields(media, Set.of("payload"), text, new Media(audio));
        return ok instanceof Invalid ? ok : fields(root, Set.of("event", "streamSid", "media"), text, ok);
    }

    private static ServerMessage mark(JsonNode root, String text) {
        JsonNode mark = root.get("mark");
        JsonNode name = mark == null ? null : mark.get("name");
        if (name == null || !name.isTextual()) {
            return invalid("mark without mark.name", text);
        }
        ServerMessage ok = fields(mark, Set.of("name"), text, new Mark(name.asText()));
        return ok instanceof Invalid ? ok : fields(root, Set.of("event", "streamSid", "mark"), text, ok);
    }

    /** {@code ok} if {@code node} has no field outside {@code allowed}; Twilio rejects extra fields. */
    private static ServerMessage fields(JsonNode node, Set<String> allowed, String text, ServerMessage ok) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                return invalid("unexpected field '" + name + "'", text);
            }
        }
        return ok;
    }

    private static Invalid invalid(String problem, String text) {
        String excerpt = text.length() > 120 ? text.substring(0, 120) + "..." : text;
        return new Invalid(problem + ": " + excerpt);
    }
}
