package dev.voiceagent.stt;

/** What the caller said in one turn, as the speech-to-text vendor heard it. */
public record Transcript(String text) {

    public Transcript {
        text = text == null ? "" : text.strip();
    }

    /** True when there is nothing worth answering: no words, or only noise markers like "[BLANK_AUDIO]". */
    public boolean isEmpty() {
        String words = text.replaceAll("\\[[^\\]]*\\]|\\([^)]*\\)", "").replaceAll("[\\p{Punct}\\s]", "");
        return words.isEmpty();
    }
}
