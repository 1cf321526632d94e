package dev.voiceagent.twilio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reading the JSON text frames Twilio's sockets carry (Media Streams and ConversationRelay). Pure. */
final class TwilioJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TwilioJson() {
    }

    /** The frame as a JSON object. @throws MalformedFrameException when it is not JSON, or not an object */
    static JsonNode object(String text) throws MalformedFrameException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedFrameException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedFrameException("not a JSON object");
        }
        return root;
    }
}
