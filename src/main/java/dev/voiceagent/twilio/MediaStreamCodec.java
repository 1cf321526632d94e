package dev.voiceagent.twilio;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Twilio Media Streams JSON text frames to {@link StreamEvent} records and back. Pure functions: no I/O,
 * no state, so the protocol can be tested without sockets and the call loop never sees JSON.
 *
 * <p>Outbound, Twilio accepts only {@code media}, {@code mark} and {@code clear} on a bidirectional
 * stream, each with the exact {@code streamSid}; anything else is dropped with error 31951.
 */
public final class MediaStreamCodec {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Decoder B64_IN = Base64.getDecoder();
    private static final Base64.Encoder B64_OUT = Base64.getEncoder();

    private MediaStreamCodec() {
    }

    /**
     * Decodes one inbound text frame.
     *
     * @throws MalformedFrameException when the frame is not JSON, has no {@code event}, or lacks a field
     *                                 its event requires (the message says which)
     */
    public static StreamEvent decode(String text) throws MalformedFrameException {
        // Twilio sends 50 media frames a second per call: read those straight from the characters (no parser, no
        // tree); every other message, and anything unusual, goes through the tree for precise error messages.
        StreamEvent.Media media = MediaFrameScanner.scan(text);
        return media != null ? media : decodeInFull(text);
    }

    /** {@link #decode} without the fast path for {@code media}: the reference the fast path must agree with. */
    static StreamEvent decodeInFull(String text) throws MalformedFrameException {
        JsonNode root = TwilioJson.object(text);
        String event = text(root, "event");
        return switch (event) {
            case "connected" -> new StreamEvent.Connected(optional(root, "protocol"), optional(root, "version"));
            case "start" -> start(root);
            case "media" -> media(root);
            case "mark" -> new StreamEvent.Mark(text(root, "streamSid"), text(object(root, "mark"), "name"));
            case "dtmf" -> dtmf(root);
            case "stop" -> new StreamEvent.Stop(text(root, "streamSid"), optional(root.path("stop"), "callSid"));
            default -> new StreamEvent.Unknown(event);
        };
    }

    /** An outbound {@code media} message carrying raw mu-law audio. */
    public static String media(String streamSid, byte[] mulaw, int offset, int length) {
        // Built by hand: this runs 50 times a second per call, and neither part needs escaping
        // (stream SIDs are checked alphanumeric, base64 has no JSON metacharacters).
        String payload = B64_OUT.encodeToString(offset == 0 && length == mulaw.length
                ? mulaw : java.util.Arrays.copyOfRange(mulaw, offset, offset + length));
        return new StringBuilder(96 + payload.length())   // the fixed parts and a 34-character SID: no regrowth
                .append("{\"event\":\"media\",\"streamSid\":\"").append(checkedSid(streamSid))
                .append("\",\"media\":{\"payload\":\"").append(payload).append("\"}}")
                .toString();
    }

    /** An outbound {@code mark}; Twilio echoes it when the audio sent before it has played. */
    public static String mark(String streamSid, String name) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "mark");
        root.put("streamSid", checkedSid(streamSid));
        root.putObject("mark").put("name", name);
        return root.toString();
    }

    /**
     * The web phone's extension, never sent on a Twilio socket (Twilio would drop it with error 31951): one turn of
     * the live transcript as it is stored, {@code role} {@code caller} or {@code agent}; an agent turn as heard,
     * {@code interrupted} when the caller cut it off.
     */
    public static String transcript(String streamSid, String role, String text, boolean interrupted) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "transcript");
        root.put("streamSid", checkedSid(streamSid));
        root.putObject("transcript").put("role", role).put("text", text).put("interrupted", interrupted);
        return root.toString();
    }

    /** An outbound {@code clear}: Twilio drops all buffered audio and echoes every pending mark. */
    public static String clear(String streamSid) {
        return "{\"event\":\"clear\",\"streamSid\":\"" + checkedSid(streamSid) + "\"}";
    }

    private static StreamEvent start(JsonNode root) throws MalformedFrameException {
        JsonNode start = object(root, "start");
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode custom = start.path("customParameters");
        if (custom.isObject()) {
            custom.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        }
        JsonNode format = start.path("mediaFormat");
        String streamSid = root.hasNonNull("streamSid") ? text(root, "streamSid") : text(start, "streamSid");
        return new StreamEvent.Start(streamSid,
                                     optional(start, "accountSid"),
                                     text(start, "callSid"),
                                     params,
                                     format.path("encoding").asText("audio/x-mulaw"),
                                     format.path("sampleRate").asInt(8000),
                                     format.path("channels").asInt(1));
    }

    private static StreamEvent media(JsonNode root) throws MalformedFrameException {
        JsonNode media = object(root, "media");
        byte[] payload;
        try {
            payload = B64_IN.decode(text(media, "payload"));
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("media.payload is not base64");
        }
        return new StreamEvent.Media(text(root, "streamSid"),
                                     media.path("track").asText("inbound"),
                                     number(media, "chunk"),
                                     number(media, "timestamp"),
                                     payload);
    }

    private static StreamEvent dtmf(JsonNode root) throws MalformedFrameException {
        String digit = text(object(root, "dtmf"), "digit");
        if (!digit.matches("[0-9*#A-Da-d]")) {
            throw new MalformedFrameException("dtmf.digit is not a key: " + digit);
        }
        return new StreamEvent.Dtmf(text(root, "streamSid"), digit);
    }

    private static JsonNode object(JsonNode parent, String field) throws MalformedFrameException {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) {
            throw new MalformedFrameException("missing object '" + field + "'");
        }
        return node;
    }

    private static String text(JsonNode parent, String field) throws MalformedFrameException {
        JsonNode node = parent.get(field);
        if (node == null || !node.isValueNode() || node.asText().isEmpty()) {
            throw new MalformedFrameException("missing field '" + field + "'");
        }
        return node.asText();
    }

    private static String optional(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node == null || !node.isValueNode() ? "" : node.asText();
    }

    /** Twilio sends chunk and timestamp as strings; accept numbers too. */
    private static long number(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null) {
            return -1;
        }
        if (node.isNumber()) {
            return node.asLong();
        }
        try {
            return Long.parseLong(node.asText());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String checkedSid(String streamSid) {
        for (int i = 0; i < streamSid.length(); i++) {
            if (!Character.isLetterOrDigit(streamSid.charAt(i))) {
                throw new IllegalArgumentException("stream SID is not alphanumeric");
            }
        }
        return streamSid;
    }
}
