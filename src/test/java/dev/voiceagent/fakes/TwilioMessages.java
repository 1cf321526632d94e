package dev.voiceagent.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The JSON text frames Twilio's media server sends on a bidirectional stream, field for field and in the
 * documented order (Twilio "Media Streams - WebSocket Messages"). Every value is a string except
 * {@code sampleRate} and {@code channels}, as in the docs.
 */
final class TwilioMessages {

    /** Thread-safe once configured, and never reconfigured. */
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ids that are valid JSON string content as they are. */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9]+");

    private TwilioMessages() {
    }

    /** A fresh stream id: {@code MZ} and 32 hex digits, 34 characters like Twilio's. */
    static String newStreamSid() {
        return "MZ" + UUID.randomUUID().toString().replace("-", "");
    }

    /** The first message of every stream; it carries no sequence number. */
    static String connected() {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "connected");
        root.put("protocol", "Call");
        root.put("version", "1.0.0");
        return root.toString();
    }

    /** Stream metadata, sent once right after {@link #connected()}. */
    static String start(long seq, String accountSid, String streamSid, String callSid,
                        Map<String, String> customParameters) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "start");
        root.put("sequenceNumber", Long.toString(seq));
        ObjectNode start = root.putObject("start");
        start.put("accountSid", accountSid);
        start.put("streamSid", streamSid);
        start.put("callSid", callSid);
        start.putArray("tracks").add("inbound");
        ObjectNode format = start.putObject("mediaFormat");
        format.put("encoding", "audio/x-mulaw");
        format.put("sampleRate", 8000);
        format.put("channels", 1);
        ObjectNode params = start.putObject("customParameters");
        customParameters.forEach(params::put);
        root.put("streamSid", streamSid);
        return root.toString();
    }

    /**
     * One inbound audio frame; {@code chunk} counts from 1, {@code timestampMs} from stream start.
     * <p>Written by hand when the stream id needs no JSON escaping (ours never does): this is sent 50 times a
     * second per caller, and building a Jackson tree for it was the biggest CPU cost of a load run's callers.
     * The text is the same either way.
     */
    static String media(long seq, String streamSid, long chunk, long timestampMs, byte[] mulaw) {
        String payload = Base64.getEncoder().encodeToString(mulaw);
        if (PLAIN_ID.matcher(streamSid).matches()) {
            return new StringBuilder(96 + payload.length() + streamSid.length())
                    .append("{\"event\":\"media\",\"sequenceNumber\":\"").append(seq)
                    .append("\",\"media\":{\"track\":\"inbound\",\"chunk\":\"").append(chunk)
                    .append("\",\"timestamp\":\"").append(timestampMs)
                    .append("\",\"payload\":\"").append(payload)
                    .append("\"},\"streamSid\":\"").append(streamSid).append("\"}")
                    .toString();
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "media");
        root.put("sequenceNumber", Long.toString(seq));
        ObjectNode media = root.putObject("media");
        media.put("track", "inbound");
        media.put("chunk", Long.toString(chunk));
        media.put("timestamp", Long.toString(timestampMs));
        media.put("payload", payload);
        root.put("streamSid", streamSid);
        return root.toString();
    }

    /** A key the caller pressed. */
    static String dtmf(long seq, String streamSid, String digit) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "dtmf");
        root.put("streamSid", streamSid);
        root.put("sequenceNumber", Long.toString(seq));
        ObjectNode dtmf = root.putObject("dtmf");
        dtmf.put("track", "inbound_track");
        dtmf.put("digit", digit);
        return root.toString();
    }

    /** Echo of a server mark whose audio finished playing (or was cleared). */
    static String mark(long seq, String streamSid, String name) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "mark");
        root.put("sequenceNumber", Long.toString(seq));
        root.put("streamSid", streamSid);
        root.putObject("mark").put("name", name);
        return root.toString();
    }

    /** The call ended. */
    static String stop(long seq, String streamSid, String accountSid, String callSid) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "stop");
        root.put("sequenceNumber", Long.toString(seq));
        ObjectNode stop = root.putObject("stop");
        stop.put("accountSid", accountSid);
        stop.put("callSid", callSid);
        root.put("streamSid", streamSid);
        return root.toString();
    }
}
