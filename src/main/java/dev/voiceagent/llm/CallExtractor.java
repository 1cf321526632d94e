package dev.voiceagent.llm;

import java.util.List;

import dev.voiceagent.persona.FactSpec;

/** Turns a finished call's transcript into the persona's facts and a one-paragraph summary. */
public interface CallExtractor {

    /**
     * @param model      text-generation model to ask
     * @param facts      what to find, by key
     * @param transcript the call, one line per turn ("Caller: ...", "Agent: ...")
     * @throws dev.voiceagent.vendor.VendorException when the model could not answer in the schema
     */
    Extraction extract(String model, List<FactSpec> facts, String transcript);
}
