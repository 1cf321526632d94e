package dev.voiceagent.loadtest;

import java.util.List;

/**
 * How one simulated call went, from the caller's side.
 *
 * @param index          the call's number in the run, from 0
 * @param callSid        its CallSid
 * @param failure        why it failed, or {@code null} if it went as scripted
 * @param greetingMillis start message to first greeting audio, or -1
 * @param replyMillis    per answered turn: end of the caller's utterance (last speech frame sent) to the first agent
 *                       media frame received
 * @param gapsMillis     stutters in the agent's audio as the emulated Twilio played it (holes of 20 ms to 1.5 s)
 * @param clears         {@code clear} messages received (the server believed it was interrupted)
 * @param gapPhases      where each gap happened ({@code greeting}, {@code turn 2}, ...), as far as known
 * @param gapEndsNanos   when each gap ended ({@link System#nanoTime()}), in the order of {@code gapsMillis}, if known
 */
public record CallResult(int index, String callSid, String failure, long greetingMillis, List<Long> replyMillis,
                         List<Long> gapsMillis, int clears, List<String> gapPhases, List<Long> gapEndsNanos) {

    public CallResult {
        replyMillis = List.copyOf(replyMillis);
        gapsMillis = List.copyOf(gapsMillis);
        gapPhases = List.copyOf(gapPhases);
        gapEndsNanos = List.copyOf(gapEndsNanos);
        if (!gapEndsNanos.isEmpty() && gapEndsNanos.size() != gapsMillis.size()) {
            throw new IllegalArgumentException("gapEndsNanos must pair with gapsMillis: " + gapEndsNanos.size()
                                               + " ends for " + gapsMillis.size() + " gaps");
        }
    }

    /** A result without the gaps' times. */
    public CallResult(int index, String callSid, String failure, long greetingMillis, List<Long> replyMillis,
                      List<Long> gapsMillis, int clears, List<String> gapPhases) {
        this(index, callSid, failure, greetingMillis, replyMillis, gapsMillis, clears, gapPhases, List.of());
    }

    /** A result without gap locations. */
    public CallResult(int index, String callSid, String failure, long greetingMillis, List<Long> replyMillis,
                      List<Long> gapsMillis, int clears) {
        this(index, callSid, failure, greetingMillis, replyMillis, gapsMillis, clears, List.of());
    }

    /** Whether the call went as scripted. */
    public boolean ok() {
        return failure == null;
    }
}
