package dev.voiceagent.fakes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the caller says in one turn of {@link FakeStreamingStt}, and how much of it has been said so far. The text's
 * {@code |} marks where the speaker pauses: part k is said by the k-th segment of speech (stretches separated by at
 * least 150 ms of non-speech); extra segments belong to the last part; parts whose segment never comes are never
 * said. Within a segment words come one per {@link #MS_PER_WORD} of speech, never more than the part has, and all
 * of them once the segment ends. Single-threaded.
 */
final class ScriptedTurn {

    /** Speech time per word. */
    static final int MS_PER_WORD = 300;

    private final List<List<String>> parts = new ArrayList<>();
    private final List<String> words = new ArrayList<>();
    private int part = -1;
    private int saidBefore;
    private int partSpeechMs;
    private int revealed;
    private boolean segmentOpen;

    ScriptedTurn(String text) {
        for (String piece : (text == null ? "" : text).split("\\|")) {
            List<String> partWords = Arrays.stream(piece.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
            if (!partWords.isEmpty()) {
                parts.add(partWords);
                words.addAll(partWords);
            }
        }
        if (parts.isEmpty()) {
            parts.add(List.of());
        }
    }

    /** {@code ms} more of speech; opens a segment when none is open. */
    void speech(int ms) {
        if (!segmentOpen) {
            segmentOpen = true;
            if (part < 0) {
                part = 0;
            } else if (part < parts.size() - 1) {
                saidBefore += parts.get(part).size();
                part++;
                partSpeechMs = 0;
                revealed = 0;
            }
        }
        partSpeechMs += ms;
        revealed = Math.max(revealed, Math.min(parts.get(part).size(), partSpeechMs / MS_PER_WORD));
    }

    /** The segment ended (150 ms of non-speech): all of its part is said. */
    void endSegment() {
        if (segmentOpen) {
            segmentOpen = false;
            revealed = parts.get(part).size();
        }
    }

    boolean segmentOpen() {
        return segmentOpen;
    }

    /** Words said so far, counted over the whole turn. */
    int said() {
        return part < 0 ? 0 : saidBefore + revealed;
    }

    /** Whether the words said so far end a scripted part (and some were said). */
    boolean atEndOfPart() {
        return part >= 0 && revealed == parts.get(part).size() && said() > 0;
    }

    /** Words {@code [from, to)} joined with single spaces. */
    String text(int from, int to) {
        return String.join(" ", words.subList(from, to));
    }

    /** Words {@code [from, to)}. */
    List<String> words(int from, int to) {
        return words.subList(from, to);
    }
}
