package dev.voiceagent.persona;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A persona's transport and ConversationRelay settings: defaults, Twilio's spellings, and precise errors. */
class RelayPersonaTest {

    @TempDir
    Path dir;

    @Test
    void personasUseMediaStreamsUnlessToldOtherwise() throws IOException {
        Persona p = load("""
                    voice: { id: v1 }
                """);
        assertThat(p.transport(), is(Transport.MEDIA_STREAM));
        assertThat(p.relay().ttsProvider(), is("ElevenLabs"));
        assertThat("the persona's ElevenLabs voice is the relay's default voice", p.relay().voice(), is("v1"));
        assertThat(p.relay().transcriptionProvider(), is("Deepgram"));
        assertThat(p.relay().language(), is("en-US"));
        assertThat(p.relay().interruptible(), is(RelaySettings.Interruptible.ANY));
        assertThat(p.relay().hints(), is(List.of()));
    }

    @Test
    void aRelayPersonaReadsItsSettingsInTwiliosSpelling() throws IOException {
        Persona p = load("""
                    voice: { id: v1 }
                    transport: Conversation-Relay
                    relay:
                      ttsProvider: google
                      voice: en-US-Journey-O
                      transcriptionProvider: GOOGLE
                      speechModel: telephony
                      language: en-GB
                      interruptible: false
                      hints: [Acme, check-up]
                """);
        assertThat(p.transport(), is(Transport.CONVERSATION_RELAY));
        assertThat(p.relay(), is(new RelaySettings("Google", "en-US-Journey-O", "Google", "telephony", "en-GB",
                                                   RelaySettings.Interruptible.NONE, List.of("Acme", "check-up"))));
    }

    @Test
    void aNonElevenLabsVoiceIsNotTakenFromThePersonasElevenLabsVoice() throws IOException {
        Persona p = load("""
                    voice: { id: v1 }
                    transport: conversation-relay
                    relay: { ttsProvider: Amazon, hints: "Acme, check-up" }
                """);
        assertThat(p.relay().voice(), is(""));
        assertThat("hints may be one comma-separated string", p.relay().hints(), is(List.of("Acme", "check-up")));
    }

    @Test
    void everyRelayProblemIsNamed() throws IOException {
        Path file = write("""
                    voice: { id: v1 }
                    transport: carrier-pigeon
                    relay:
                      ttsProvider: Polly
                      transcriptionProvider: Whisper
                      language: "english please"
                      interruptible: sometimes
                      hints: ["a,b"]
                """);
        String message = assertThrows(PersonaConfigException.class, () -> PersonaFile.load(file)).getMessage();
        assertThat(message, allOf(
                containsString("persona 'a': transport must be media-stream or conversation-relay (got 'carrier-pigeon')"),
                containsString("relay.ttsProvider must be ElevenLabs, Google, Amazon (got 'Polly')"),
                containsString("relay.transcriptionProvider must be Deepgram, Google (got 'Whisper')"),
                containsString("relay.language must be a language tag"),
                containsString("relay.interruptible must be none, dtmf, speech, any, true or false (got 'sometimes')"),
                containsString("relay.hints must be phrases")));
    }

    private Persona load(String keys) throws IOException {
        return PersonaFile.load(write(keys)).byId("a").orElseThrow();
    }

    private Path write(String keys) throws IOException {
        Path file = dir.resolve("personas.yaml");
        Files.writeString(file, """
                personas:
                  - id: a
                    prompt: Be A.
                    greeting: Hello from A.
                """ + keys);
        return file;
    }
}
