package dev.voiceagent.call;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.voiceagent.store.CallClosed;
import dev.voiceagent.store.CallJournal;
import dev.voiceagent.store.CallOpened;
import dev.voiceagent.store.Channel;
import dev.voiceagent.store.TurnRecord;
import dev.voiceagent.twilio.StreamEvent;

/**
 * Hands one call's turns to the {@link CallJournal} as they finish, numbering them and turning the call's
 * monotonic timestamps into wall-clock instants, and shows each to {@code shown} (the web phone's live transcript;
 * a no-op for phone calls). Call thread only; never blocks on the database.
 */
final class CallRecorder {

    private final CallJournal journal;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Duration giveUpAfter;
    private final String callSid;
    private final long startedNanos;
    private final Consumer<TurnRecord> shown;
    private int seq;

    /** A phone call's recorder. */
    CallRecorder(CallJournal journal, Clock clock, LongSupplier nanoTime, Duration giveUpAfter,
                 StreamEvent.Start start, String personaId, long startedNanos) {
        this(journal, clock, nanoTime, giveUpAfter, start.callSid(), start.streamSid(), start.parameter("from"),
             start.parameter("to"), personaId, startedNanos, Channel.PHONE, turn -> { });
    }

    /**
     * @param streamSid the media stream's sid, or for a ConversationRelay call its session id
     */
    CallRecorder(CallJournal journal, Clock clock, LongSupplier nanoTime, Duration giveUpAfter, String callSid,
                 String streamSid, String from, String to, String personaId, long startedNanos) {
        this(journal, clock, nanoTime, giveUpAfter, callSid, streamSid, from, to, personaId, startedNanos,
             Channel.PHONE, turn -> { });
    }

    /**
     * @param from    the caller's number; empty for a web call
     * @param channel how the caller reached us, stored with the call
     * @param shown   sees each turn right after it is handed to the journal; must not block for long
     */
    CallRecorder(CallJournal journal, Clock clock, LongSupplier nanoTime, Duration giveUpAfter, String callSid,
                 String streamSid, String from, String to, String personaId, long startedNanos, Channel channel,
                 Consumer<TurnRecord> shown) {
        this.shown = shown;
        this.journal = journal;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.giveUpAfter = giveUpAfter;
        this.callSid = callSid;
        this.startedNanos = startedNanos;
        journal.opened(new CallOpened(callSid, streamSid, from, to, personaId, instant(startedNanos), channel));
    }

    /** What the caller said (or pressed) between {@code fromNanos} and {@code toNanos}. */
    void caller(String text, long fromNanos, long toNanos) {
        if (!text.isBlank()) {
            record(new TurnRecord(callSid, ++seq, TurnRecord.Role.CALLER, text, instant(fromNanos),
                                  instant(toNanos), false, Map.of()));
        }
    }

    /** What of a reply the caller heard; {@code timings} are the stages of an answer (empty for phrases). */
    void agent(String heard, long fromNanos, long toNanos, boolean interrupted, Map<String, Long> timings) {
        if (!heard.isBlank()) {
            record(new TurnRecord(callSid, ++seq, TurnRecord.Role.AGENT, heard, instant(fromNanos),
                                  instant(toNanos), interrupted, timings));
        }
    }

    private void record(TurnRecord turn) {
        journal.turn(turn);
        shown.accept(turn);
    }

    /** A tool call that finished; placed after the turns stored so far. */
    void toolCall(int toolSeq, String tool, String arguments, String outcome, java.util.Optional<String> failure,
                  String result, long startedNanos, long durationMs) {
        journal.toolCall(new dev.voiceagent.store.ToolCallRecord(callSid, toolSeq, seq, tool, arguments, outcome, failure,
                                                                 result, instant(startedNanos), durationMs));
    }

    void closed(String reason, long nowNanos) {
        Instant ended = instant(nowNanos);
        journal.closed(new CallClosed(callSid, ended, (nowNanos - startedNanos) / 1_000_000, reason),
                       ended.plus(giveUpAfter));
    }

    /** The stages of an answered turn that happened, in ms, as stored with the agent's turn. */
    static Map<String, Long> timings(TurnTimings t, long firstFrameNanos) {
        Map<String, Long> ms = new LinkedHashMap<>();
        put(ms, "eos", TurnTimings.millis(t.lastCallerSpeechNanos, t.turnEndNanos));
        put(ms, "stt", TurnTimings.millis(t.sttStartNanos, t.sttDoneNanos));
        put(ms, "llmFirstToken", TurnTimings.millis(t.llmStartNanos, t.llmFirstTokenNanos));
        put(ms, "ttsFirstByte", TurnTimings.millis(t.ttsStartNanos, t.ttsFirstByteNanos));
        put(ms, "firstFrame", TurnTimings.millis(t.turnEndNanos, firstFrameNanos));
        put(ms, "voiceToVoice", TurnTimings.millis(t.lastCallerSpeechNanos, firstFrameNanos));
        put(ms, "server", t.serverMillis(firstFrameNanos));
        return ms;
    }

    private static void put(Map<String, Long> ms, String stage, long value) {
        if (value >= 0) {
            ms.put(stage, value);
        }
    }

    /** The wall-clock time of a monotonic timestamp; 0 (a stage that never happened) reads as now. */
    private Instant instant(long nanos) {
        long ago = nanos == 0 ? 0 : Math.max(0, nanoTime.getAsLong() - nanos);
        return clock.instant().minusNanos(ago);
    }
}
