package dev.voiceagent.twilio;

import java.util.Map;

/**
 * A message Twilio sends on a bidirectional Media Stream, decoded. Field names follow Twilio's
 * "WebSocket messages" reference; numbers that Twilio sends as strings are parsed here.
 */
public sealed interface StreamEvent {

    /** First message of every stream. */
    record Connected(String protocol, String version) implements StreamEvent {
    }

    /** Stream metadata, sent once right after {@code connected}. */
    record Start(String streamSid,
                 String accountSid,
                 String callSid,
                 Map<String, String> customParameters,
                 String encoding,
                 int sampleRate,
                 int channels) implements StreamEvent {

        public Start {
            customParameters = Map.copyOf(customParameters);
        }

        /** A custom {@code <Parameter>} from our TwiML, or empty string. */
        public String parameter(String name) {
            return customParameters.getOrDefault(name, "");
        }
    }

    /** One chunk of caller audio: raw 8 kHz mu-law, usually 20 ms (160 bytes). */
    record Media(String streamSid, String track, long chunk, long timestampMillis, byte[] payload)
            implements StreamEvent {
    }

    /** Twilio's echo of a mark we sent: the audio before it has finished playing (or was cleared). */
    record Mark(String streamSid, String name) implements StreamEvent {
    }

    /** A key the caller pressed. */
    record Dtmf(String streamSid, String digit) implements StreamEvent {
    }

    /** The stream ended (the call hung up or was ended). */
    record Stop(String streamSid, String callSid) implements StreamEvent {
    }

    /** A well-formed message with an event name this server does not know; ignored, but counted. */
    record Unknown(String event) implements StreamEvent {
    }
}
