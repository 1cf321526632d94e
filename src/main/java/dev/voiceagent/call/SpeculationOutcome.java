package dev.voiceagent.call;

/** How speculation went for one answer (the per-turn log's {@code speculation}, the metric's {@code outcome}). */
enum SpeculationOutcome {
    /** The answer was not started speculatively. */
    NONE("none"),
    /** Held at a pause, released as it was: the turn ended with nothing more said. */
    USED("used"),
    /** Held at a pause; the final words were checked and were the same. */
    CHECKED("checked"),
    /** Held at a pause; the final words differed and the answer was made again from them. */
    REGENERATED("regenerated"),
    /** Held at a pause and dropped: the caller went on, pressed keys, or the call moved on. */
    DISCARDED("discarded");

    private final String tag;

    SpeculationOutcome(String tag) {
        this.tag = tag;
    }

    String tag() {
        return tag;
    }
}
