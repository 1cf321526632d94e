package dev.voiceagent.vendor;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Reads of a response body ask for about what the body delivers at a time, within bounds. */
class ReadSizeTest {

    @Test
    void aStreamOfSmallEventsIsReadInSmallReads() {
        ReadSize size = new ReadSize();
        for (int i = 0; i < 10; i++) {
            int ask = size.ask(8192);             // InputStreamReader's buffer
            size.got(ask, 40);                    // a token event that arrived on its own
        }
        assertThat(size.ask(8192), is(ReadSize.MIN));
    }

    @Test
    void bulkAudioIsReadInReadsThatGrowToTheLimit() {
        ReadSize size = new ReadSize();
        for (int i = 0; i < 10; i++) {
            int ask = size.ask(64 * 1024);
            size.got(ask, ask);                   // every read came back full
        }
        assertThat(size.ask(64 * 1024), is(ReadSize.MAX));
    }

    @Test
    void neverAsksForMoreThanTheCallerHasRoomFor() {
        ReadSize size = new ReadSize();
        assertThat(size.ask(100), is(100));
        size.got(100, 100);                        // full, but only because the caller asked for little
        assertThat(size.ask(Integer.MAX_VALUE), is(2 * ReadSize.MIN));
    }

    @Test
    void readsThatComeBackPartlyFullKeepTheirSizeAndTheEndChangesNothing() {
        ReadSize size = new ReadSize();
        int ask = size.ask(8192);
        size.got(ask, ask / 2);
        assertThat(size.ask(Integer.MAX_VALUE), is(ask));
        size.got(size.ask(8192), -1);
        assertThat(size.ask(Integer.MAX_VALUE), is(ask));
    }

    @Test
    void aStreamThatTurnsFromTrickleToBulkFollows() {
        ReadSize size = new ReadSize();
        for (int i = 0; i < 5; i++) {
            size.got(size.ask(8192), 10);
        }
        assertThat(size.ask(Integer.MAX_VALUE), is(ReadSize.MIN));
        for (int i = 0; i < 3; i++) {
            size.got(size.ask(8192), size.ask(8192));
        }
        assertThat(size.ask(Integer.MAX_VALUE), is(8 * ReadSize.MIN));
    }
}
