package dev.voiceagent.call;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.voiceagent.persona.Stt;
import dev.voiceagent.stt.SpeechEvent;

import static dev.voiceagent.call.CallScript.await;
import static dev.voiceagent.fakes.FakeTwilioCaller.clip;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * On a noisy line the level of the caller's speech hardly varies above the noise, so the local detector alone
 * cannot tell it from the noise until the turn ends; the live recogniser's hearing speech start settles it.
 */
class BargeInEvidenceTest {

    /** 300 ms of -30 dBFS noise, then speech over it: the first 900 ms of speech_over_noise. */
    private static final byte[] NOISY_START = Arrays.copyOf(clip("speech_over_noise"), 8 * 900);

    @Test
    void speechOverNoiseConfirmedByTheRecognizerInterruptsTheAgentWhileTheCallerIsStillTalking() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            await(() -> call.line.anyMarkOf(1), "the greeting to be playing");
            call.says(clip("line_noise"));               // the line is noisy from the start
            call.recognizer.latest().emit(new SpeechEvent.SpeechStarted());
            call.says(NOISY_START);

            await(() -> call.line.clears() == 1, "clear while the caller talks");
        }
    }

    @Test
    void theRecognizersSpeechStartAloneDoesNotInterruptWithoutSpeechOnTheLine() {
        try (CallScript call = CallScript.start(Stt.NOVA3)) {
            await(() -> call.line.anyMarkOf(1), "the greeting to be playing");
            call.recognizer.latest().emit(new SpeechEvent.SpeechStarted());   // e.g. a click the vendor took for speech
            call.silence(1000);
            call.recognizer.hears("My name is Jane Doe.");
            call.says(clip("my_name"));                   // then the caller really talks: that interrupts
            await(() -> call.line.clears() == 1, "clear once the caller talks");
            assertThat("one clear, for the real speech", call.line.clears(), is(1));
        }
    }
}
