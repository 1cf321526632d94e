package dev.voiceagent.call;

/**
 * When each stage of one turn happened (System.nanoTime), filled in by whichever thread reaches the stage.
 * 0 means the stage has not happened. Voice-to-voice is measured from the caller's last speech frame to
 * the first agent frame sent.
 */
final class TurnTimings {

    volatile long lastCallerSpeechNanos;
    volatile long turnEndNanos;
    volatile long sttStartNanos;
    volatile long sttDoneNanos;
    volatile long llmStartNanos;
    volatile long llmFirstTokenNanos;
    volatile long ttsStartNanos;
    volatile long ttsFirstByteNanos;

    static long millis(long from, long to) {
        return from == 0 || to == 0 ? -1 : (to - from) / 1_000_000;
    }
}
