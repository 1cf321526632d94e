package dev.voiceagent.llm;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/** Streamed model text becomes speakable pieces as early as possible, without the control token. */
class SentenceSplitterTest {

    @Test
    void emitsEachSentenceAsSoonAsItIsComplete() {
        SentenceSplitter s = new SentenceSplitter();
        assertThat(s.accept("Sure"), is(empty()));
        assertThat(s.accept(", I can help. What"), contains("Sure, I can help."));
        assertThat(s.accept(" day works?"), is(empty()));
        assertThat(s.finish(), contains("What day works?"));
    }

    @Test
    void doesNotCutAfterCommonAbbreviationsOrInsideNumbers() {
        List<String> out = feedWordByWord("Dr. Smith sees patients at 9.30 a.m. on Mondays. Okay?");
        assertThat(out, contains("Dr. Smith sees patients at 9.30 a.m. on Mondays.", "Okay?"));
    }

    @Test
    void aLongFirstClauseMayEndAtACommaSoTheCallerHearsSomethingSooner() {
        List<String> out = feedWordByWord("Thanks so much for waiting on the line today, I have found three openings for you.");
        assertThat(out, contains("Thanks so much for waiting on the line today,", "I have found three openings for you."));
    }

    @Test
    void endCallTokenIsDetectedEvenWhenSplitAcrossDeltasAndNeverSpoken() {
        SentenceSplitter s = new SentenceSplitter();
        List<String> out = new ArrayList<>(s.accept("Goodbye and take care! [END"));
        out.addAll(s.accept("_CALL]"));
        out.addAll(s.finish());
        assertThat(out, contains("Goodbye and take care!"));
        assertThat(s.endCallRequested(), is(true));
    }

    @Test
    void textAfterTheEndCallTokenIsDropped() {
        SentenceSplitter s = new SentenceSplitter();
        List<String> out = new ArrayList<>(s.accept("Bye now. [end_call] Anything else?"));
        out.addAll(s.finish());
        assertThat(out, contains("Bye now."));
        assertThat(s.endCallRequested(), is(true));
    }

    @Test
    void aHalfWrittenTokenAtTheEndIsNotSpoken() {
        SentenceSplitter s = new SentenceSplitter();
        s.accept("See you soon [END_CA");
        assertThat(s.finish(), contains("See you soon"));
        assertThat(s.endCallRequested(), is(false));
    }

    @Test
    void markdownAndEmptyPiecesAreRemoved() {
        List<String> out = feedWordByWord("**Great!** ... ## We open at *nine*.");
        assertThat(out, contains("Great!", "We open at nine."));
    }

    private static List<String> feedWordByWord(String text) {
        SentenceSplitter s = new SentenceSplitter();
        List<String> out = new ArrayList<>();
        for (String word : text.split("(?<= )")) {
            out.addAll(s.accept(word));
        }
        out.addAll(s.finish());
        return out;
    }
}
