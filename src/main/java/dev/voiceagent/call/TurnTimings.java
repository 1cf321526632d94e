package dev.voiceagent.call;

/**
 * When each stage of one turn happened (System.nanoTime), filled in by whichever thread reaches the stage.
 * 0 means the stage has not happened. Voice-to-voice is measured from the caller's last speech frame to
 * the first agent frame sent.
 */
final class TurnTimings {

    /** When the caller's turn began (its audio's first frame, or the first key pressed). */
    volatile long callerStartNanos;
    volatile long lastCallerSpeechNanos;
    volatile long turnEndNanos;
    volatile long sttStartNanos;
    volatile long sttDoneNanos;
    volatile long llmStartNanos;
    volatile long llmFirstTokenNanos;
    volatile long llmFirstPieceNanos;
    volatile long ttsStartNanos;
    volatile long ttsFirstByteNanos;

    /**
     * The server's own share of the time from end of turn to first audio frame: everything except the
     * vendors' time (transcription, model until the first speakable piece, synthesis until its first byte).
     * -1 until the first frame was sent.
     */
    long serverMillis(long firstFrameNanos) {
        if (firstFrameNanos == 0 || turnEndNanos == 0) {
            return -1;
        }
        long vendor = afterTurnEnd(sttStartNanos, sttDoneNanos) + afterTurnEnd(llmStartNanos, llmFirstPieceNanos)
                + afterTurnEnd(ttsStartNanos, ttsFirstByteNanos);
        return (firstFrameNanos - turnEndNanos - vendor) / 1_000_000;
    }

    /** Vendor time that still delayed the caller: a speculation's work before the turn ended is free. */
    private long afterTurnEnd(long from, long to) {
        if (from == 0 || to == 0) {
            return 0;
        }
        return Math.max(0, to - Math.max(from, turnEndNanos));
    }

    static long millis(long from, long to) {
        return from == 0 || to == 0 ? -1 : (to - from) / 1_000_000;
    }
}
