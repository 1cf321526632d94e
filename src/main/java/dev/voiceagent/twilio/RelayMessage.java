package dev.voiceagent.twilio;

import java.util.Map;

/**
 * A message Twilio ConversationRelay sends on its WebSocket, decoded. Field names follow Twilio's
 * "ConversationRelay WebSocket messages" reference; numbers Twilio sometimes sends as strings are parsed here.
 */
public sealed interface RelayMessage {

    /**
     * First message of every session. {@code customParameters} are the TwiML's {@code <Parameter>}s.
     */
    record Setup(String sessionId,
                 String callSid,
                 String accountSid,
                 String from,
                 String to,
                 String direction,
                 Map<String, String> customParameters) implements RelayMessage {

        public Setup {
            customParameters = Map.copyOf(customParameters);
        }

        /** A custom {@code <Parameter>} from our TwiML, or empty string. */
        public String parameter(String name) {
            return customParameters.getOrDefault(name, "");
        }
    }

    /**
     * What the caller said, as Twilio transcribed it. {@code last} is false for partial prompts (only sent when
     * partial prompts are asked for); a caller turn is a prompt with {@code last: true}.
     */
    record Prompt(String voicePrompt, String lang, boolean last) implements RelayMessage {
    }

    /** A key the caller pressed ({@code dtmfDetection="true"}). */
    record Dtmf(String digit) implements RelayMessage {
    }

    /**
     * The caller interrupted the agent: {@code utteranceUntilInterrupt} is what of the agent's text was spoken,
     * {@code durationUntilInterruptMs} how long it spoke (-1 when absent).
     */
    record Interrupt(String utteranceUntilInterrupt, long durationUntilInterruptMs) implements RelayMessage {
    }

    /** Twilio reports a problem, e.g. an invalid message we sent; the session goes on. */
    record Error(String description) implements RelayMessage {
    }

    /** A debugging {@code info} message (only with the {@code debug} attribute). */
    record Info(String name, String value) implements RelayMessage {
    }

    /** A well-formed message of a type this server does not know; ignored. */
    record Unknown(String type) implements RelayMessage {
    }
}
