package dev.voiceagent.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON text frames Twilio's media server sends on a bidirectional stream, field for field and in the
 * documented order (Twilio "Media Streams - WebSocket Messages"). Every value is a string except
 * {@code sampleRate} and {@code channels}, as in the docs.
 */
final class TwilioMessages {

    /** Thread-safe once configured, and never reconfigured. */
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** One inbound audio frame; {@code chunk} counts from 1, {@code timestampMs} from stream start. */
    static String media(long seq, String streamSid, long chunk, long timestampMs, byte[] mulaw) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event", "media");
        root.put("sequenceNumber", Long.toString(seq));
        ObjectNode media = root.putObject("media");
        media.put("track", "inbound");
        media.put("chunk", Long.toString(chunk));
        media.put("timestamp", Long.toString(timestampMs));
        media.put("payload", Base64.getEncoder().encodeToString(mulaw));
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
