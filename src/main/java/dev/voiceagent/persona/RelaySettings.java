package dev.voiceagent.persona;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What Twilio ConversationRelay is told to use for a persona's calls: its {@code <ConversationRelay>} attributes.
 * Empty strings mean "Twilio's default" and are left out of the TwiML. Immutable.
 *
 * @param ttsProvider           {@code ElevenLabs}, {@code Google} or {@code Amazon}
 * @param voice                 provider-specific voice; empty: the persona's ElevenLabs voice id when the provider
 *                              is ElevenLabs, otherwise Twilio's default
 * @param transcriptionProvider {@code Deepgram} or {@code Google}
 * @param speechModel           provider-specific, e.g. {@code nova-3-general}; empty for Twilio's default
 * @param language              BCP-47 tag for both speech directions, e.g. {@code en-US}
 * @param interruptible         when the caller may interrupt the agent's speech
 * @param hints                 phrases the recogniser should expect (sent comma-separated)
 */
public record RelaySettings(String ttsProvider,
                            String voice,
                            String transcriptionProvider,
                            String speechModel,
                            String language,
                            Interruptible interruptible,
                            List<String> hints) {

    /** Twilio's spellings of the providers it accepts. */
    static final List<String> TTS_PROVIDERS = List.of("ElevenLabs", "Google", "Amazon");
    static final List<String> STT_PROVIDERS = List.of("Deepgram", "Google");

    public RelaySettings {
        hints = List.copyOf(hints);
    }

    /** Twilio's defaults: ElevenLabs voice, Deepgram recognition, en-US, interruptible by anything. */
    public static RelaySettings defaults() {
        return new RelaySettings("ElevenLabs", "", "Deepgram", "", "en-US", Interruptible.ANY, List.of());
    }

    /** {@code interruptible}: what may interrupt the agent while it speaks ({@code true} is {@code any}). */
    public enum Interruptible {
        NONE, DTMF, SPEECH, ANY;

        /** The TwiML value, e.g. {@code any}. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code none|dtmf|speech|any}, or {@code true} (any) / {@code false} (none), any case. */
        static Optional<Interruptible> parse(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true" -> Optional.of(ANY);
                case "false" -> Optional.of(NONE);
                case "none", "dtmf", "speech", "any" -> Optional.of(valueOf(v.toUpperCase(Locale.ROOT)));
                default -> Optional.empty();
            };
        }
    }
}
