package dev.voiceagent.llm;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Streamed tokens pass through as they are, spaces kept, except the {@code [END_CALL]} control token. */
class EndCallFilterTest {

    @Test
    void ordinaryTokensPassThroughUnchanged() {
        EndCallFilter f = new EndCallFilter();
        assertThat(f.accept("Hello"), is("Hello"));
        assertThat(f.accept(" there, "), is(" there, "));
        assertThat(f.accept("friend.\n"), is("friend.\n"));
        assertThat(f.finish(), is(""));
        assertThat(f.endCallRequested(), is(false));
    }

    @Test
    void theControlTokenIsRemovedEvenWhenSplitAcrossDeltas() {
        EndCallFilter f = new EndCallFilter();
        assertThat(f.accept("Goodbye! ["), is("Goodbye! "));
        assertThat(f.accept("END_"), is(""));
        assertThat(f.accept("call] and more"), is(""));
        assertThat(f.accept(" ignored"), is(""));
        assertThat(f.finish(), is(""));
        assertThat(f.endCallRequested(), is(true));
    }

    @Test
    void aBracketThatIsNotTheTokenIsReleased() {
        EndCallFilter f = new EndCallFilter();
        assertThat(f.accept("Option [E"), is("Option "));
        assertThat(f.accept("X] is fine"), is("[EX] is fine"));
        assertThat(f.endCallRequested(), is(false));
    }

    @Test
    void aHalfWrittenTokenAtTheEndIsNeverSpoken() {
        EndCallFilter f = new EndCallFilter();
        assertThat(f.accept("Bye. [END_CA"), is("Bye. "));
        assertThat(f.finish(), is(""));
    }

    @Test
    void markdownEmphasisIsNotReadOut() {
        EndCallFilter f = new EndCallFilter();
        assertThat(f.accept("**Great!** "), is("Great! "));
    }
}
