package dev.voiceagent.fakes;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.voiceagent.audio.MuLaw;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed speech fixtures keep the properties the README promises. */
class ClipsTest {

    private static final List<String> SPEECH =
            List.of("book_appointment", "pause_mid_sentence", "yes_thanks", "interruption", "my_name", "two_pauses");
    private static final int SILENCE = 0xFF;
    private static final int BYTES_PER_MS = 8;

    @Test
    void speechStartsAndEndsWithin50MsOfSilence() {
        for (String name : SPEECH) {
            byte[] clip = FakeTwilioCaller.clip(name);
            int first = 0;
            while (Math.abs(MuLaw.decode(clip[first])) < 184) {    // -45 dBFS
                first++;
            }
            int last = clip.length - 1;
            while (Math.abs(MuLaw.decode(clip[last])) < 184) {
                last--;
            }
            assertThat(name, first, lessThanOrEqualTo(50 * BYTES_PER_MS));
            assertThat(name, clip.length - 1 - last, lessThanOrEqualTo(50 * BYTES_PER_MS));
            assertThat(name, clip.length, allOf(greaterThan(1_000 * BYTES_PER_MS), lessThan(4_000 * BYTES_PER_MS)));
        }
    }

    @Test
    void pauseMidSentenceHasExactly450MsOfDigitalSilence() {
        byte[] clip = FakeTwilioCaller.clip("pause_mid_sentence");

        assertThat(longestSilence(clip), is(450 * BYTES_PER_MS));
        for (String name : List.of("book_appointment", "yes_thanks", "interruption", "my_name")) {
            assertThat(name, longestSilence(FakeTwilioCaller.clip(name)), lessThan(400 * BYTES_PER_MS));
        }
    }

    @Test
    void twoPausesHasA270AndA290MsRunOfDigitalSilenceAndNoOtherLongOne() {
        byte[] clip = FakeTwilioCaller.clip("two_pauses");

        assertThat(silenceRunAt(clip, 6803), is(270 * BYTES_PER_MS));
        assertThat(silenceRunAt(clip, 18946), is(290 * BYTES_PER_MS));
        assertThat(longestSilence(clip), is(290 * BYTES_PER_MS));
        int inner = 0;
        for (int at = 50 * BYTES_PER_MS, end = clip.length - 50 * BYTES_PER_MS; at < end; at++) {
            int run = silenceRunAt(clip, at);
            if (run >= 40 * BYTES_PER_MS) {
                inner++;
                at += run;
            }
        }
        assertThat(inner, is(2));
    }

    @Test
    void noiseClipsHaveNoDigitalSilenceAndFitTheSizeBudget() {
        assertThat(FakeTwilioCaller.clip("line_noise").length, is(4_000 * BYTES_PER_MS));
        assertThat(longestSilence(FakeTwilioCaller.clip("line_noise")), lessThan(BYTES_PER_MS));
        assertThat(FakeTwilioCaller.clip("speech_over_noise").length - FakeTwilioCaller.clip("book_appointment").length,
                is(600 * BYTES_PER_MS));
        int total = FakeTwilioCaller.clip("line_noise").length + FakeTwilioCaller.clip("speech_over_noise").length;
        for (String name : SPEECH) {
            total += FakeTwilioCaller.clip(name).length;
        }
        assertThat(total, lessThan(300 * 1024));
    }

    /** The length of the {@code 0xFF} run starting exactly at {@code at} (0 when none starts there). */
    private static int silenceRunAt(byte[] clip, int at) {
        if (at > 0 && (clip[at - 1] & 0xFF) == SILENCE) {
            return 0;
        }
        int end = at;
        while (end < clip.length && (clip[end] & 0xFF) == SILENCE) {
            end++;
        }
        return end - at;
    }

    private static int longestSilence(byte[] clip) {
        int longest = 0;
        int run = 0;
        for (byte b : clip) {
            run = (b & 0xFF) == SILENCE ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }
}
