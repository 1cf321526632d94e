package dev.voiceagent.llm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a call revealed. Bounded, whatever the model answered, because it is stored, pushed to the CRM and put into
 * the prompt of the caller's next calls: the summary to {@value #MAX_SUMMARY_CHARS} characters, each fact value to
 * {@value #MAX_FACT_CHARS}, at most {@value #MAX_FACTS} facts (the first by key), longer text cut with "...".
 *
 * @param summary one paragraph for the CRM note and for the agent's memory of a returning caller
 * @param facts   the facts found, by key; a fact the call did not reveal is absent
 */
public record Extraction(String summary, Map<String, String> facts) {

    public static final int MAX_SUMMARY_CHARS = 2000;
    public static final int MAX_FACT_CHARS = 300;
    public static final int MAX_FACTS = 24;

    public Extraction {
        summary = cut(summary == null ? "" : summary, MAX_SUMMARY_CHARS);
        Map<String, String> bounded = new LinkedHashMap<>();
        new TreeMap<>(facts).entrySet().stream().limit(MAX_FACTS)
                .forEach(e -> bounded.put(e.getKey(), cut(e.getValue(), MAX_FACT_CHARS)));
        facts = Map.copyOf(bounded);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
