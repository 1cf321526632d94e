package dev.voiceagent.call;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** A reply knows, from its marks and audio lengths, how much of it the caller heard. */
class AgentReplyTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void marksAreNamedPerReplySoClearedRepliesCanBeToldApart() {
        AgentReply reply = reply(7);
        assertThat(reply.addPiece("Hello there.", SECOND), is("r7.0"));
        assertThat(reply.addPiece("How are you?", SECOND), is("r7.1"));
        assertThat(reply.endMarkName(), is("r7.end"));
        assertThat(AgentReply.parseMark("r7.1").orElseThrow(), is(new AgentReply.MarkName(7, 1)));
        assertThat(AgentReply.parseMark("r7.end").orElseThrow().isEnd(), is(true));
        assertThat(AgentReply.parseMark("greeting").isPresent(), is(false));
        assertThat(AgentReply.parseMark("rX.1").isPresent(), is(false));
    }

    @Test
    void heardTextHasThePlayedPiecesAndTheShareOfTheNextThatHadTimeToPlay() {
        AgentReply reply = reply(1);
        reply.addPiece("We have openings on Tuesday.", SECOND);
        reply.addPiece("one two three four five six seven eight", 2 * SECOND);
        long start = 1_000 * SECOND;
        reply.piecePlayed(0, start + SECOND);
        // Stopped one second into a two-second piece of eight words: four words were heard.
        assertThat(reply.heardText(start + 2 * SECOND, start), is("We have openings on Tuesday. one two three four"));
    }

    @Test
    void nothingIsHeardOfAReplyThatNeverStartedPlaying() {
        AgentReply reply = reply(2);
        reply.addPiece("Hello there.", SECOND);
        assertThat(reply.heardText(5 * SECOND, 0), is(""));
    }

    @Test
    void theWholeFirstPieceIsCappedAtItsLength() {
        AgentReply reply = reply(3);
        reply.addPiece("Short one.", SECOND);
        reply.addPiece("Never started.", SECOND);
        long start = 10 * SECOND;
        assertThat(reply.heardText(start + 5 * SECOND, start), is("Short one."));
    }

    private static AgentReply reply(long n) {
        return new AgentReply(n, AgentReply.Kind.ANSWER, true, false, new TurnTimings(), null, false);
    }
}
