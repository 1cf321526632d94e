package dev.voiceagent.llm;

import java.util.Map;

/**
 * What a call revealed.
 *
 * @param summary one paragraph for the CRM note and for the agent's memory of a returning caller
 * @param facts   the facts found, by key; a fact the call did not reveal is absent
 */
public record Extraction(String summary, Map<String, String> facts) {

    public Extraction {
        facts = Map.copyOf(facts);
    }
}
