package dev.voiceagent.llm;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** What is stored of a call is bounded, whatever the model answered. */
class ExtractionTest {

    @Test
    void aLongSummaryIsCut() {
        Extraction e = new Extraction("s".repeat(10_000), Map.of());
        assertThat(e.summary().length(), is(Extraction.MAX_SUMMARY_CHARS));
        assertThat(e.summary().endsWith("..."), is(true));
    }

    @Test
    void longFactValuesAreCutAndTooManyFactsAreDropped() {
        Map<String, String> facts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            facts.put(String.format("k%03d", i), "v".repeat(1000));
        }
        Extraction e = new Extraction("ok", facts);
        assertThat(e.facts().size(), is(Extraction.MAX_FACTS));
        assertThat(e.facts().containsKey("k000"), is(true));
        assertThat(e.facts().get("k000").length(), is(Extraction.MAX_FACT_CHARS));
    }

    @Test
    void shortValuesAreKeptAsTheyAre() {
        Extraction e = new Extraction("Dana booked a cleaning.", Map.of("name", "Dana Reyes"));
        assertThat(e.summary(), is("Dana booked a cleaning."));
        assertThat(e.facts(), is(Map.of("name", "Dana Reyes")));
    }
}
