package dev.voiceagent.call;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.stt.SpeechEvent;
import dev.voiceagent.stt.SpeechStream;
import dev.voiceagent.stt.StreamingSpeechToText;
import dev.voiceagent.vendor.VendorException;

/**
 * Follows the caller for the call thread: merges what the local voice detector ({@link Hearing}) noticed with
 * what a live recogniser heard, and tells the call session the same few things whichever recogniser is behind
 * them ({@link Heard}): the caller is talking, paused (with the words so far), went on, or finished (with the
 * words of the turn).
 *
 * <ul>
 *   <li><b>nova-3</b> (streamed words, our own turn timing): audio flows to the socket as it arrives; when the
 *       local detector hears a pause, {@code Finalize} asks for the final words at once, and when they sound
 *       finished the session may answer them speculatively; the turn ends on the local detector's adaptive wait,
 *       with the words already final (one more {@code Finalize} if the caller spoke since).</li>
 *   <li><b>Flux</b> (the model takes turns): {@code EagerEndOfTurn} is a pause with words, {@code TurnResumed}
 *       cancels it, {@code EndOfTurn} ends the turn.</li>
 *   <li><b>Whisper</b> (batch): the local detector alone; turns carry their audio, transcribed when answered.</li>
 * </ul>
 *
 * <p>Failure: a live socket that cannot open or drops is reopened (the turn so far is replayed into it by
 * {@link Hearing}); if it is still failing after {@link #REOPEN_WITHIN}, the rest of the call is transcribed in
 * batch. A turn whose final words do not arrive in time is transcribed in batch from its audio. The caller never
 * waits on a broken socket.
 *
 * <p>Threads: the call thread only ({@link #accept}, {@link #tick}, {@link #close}); opening a socket runs on a
 * short-lived virtual thread that reports back through the call's inbox. Times are the caller's monotonic clock,
 * passed in, so tests can drive it.
 */
final class Listening {

    /** Which recogniser a persona asked for. */
    enum Recognizer {
        NOVA3("nova-3"), FLUX("flux"), WHISPER("whisper");

        private final String label;

        Recognizer(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }

        /** The recogniser a persona's {@code stt.model} names. */
        static Recognizer of(String model) {
            return switch (model) {
                case dev.voiceagent.persona.Stt.NOVA3 -> NOVA3;
                case dev.voiceagent.persona.Stt.FLUX -> FLUX;
                default -> WHISPER;
            };
        }
    }

    /** How long the final words of a turn may take after {@code Finalize} before the turn is transcribed in batch. */
    static final Duration FINAL_WORDS_WAIT = Duration.ofMillis(600);
    /** How long a live socket may keep failing to (re)open before the call falls back to batch transcription. */
    static final Duration REOPEN_WITHIN = Duration.ofSeconds(1);
    /** After the local detector's end of turn, how long to wait for Flux's {@code EndOfTurn}. */
    static final Duration FLUX_END_WAIT = Duration.ofMillis(1500);
    private static final long RETRY_DELAY_MS = 100;

    /** The state of the live socket. */
    private sealed interface Link {
    }

    /** No live recogniser: configured so, or fallen back to for the rest of the call. */
    private record Batch() implements Link {
    }

    /** Stream {@code number} is being opened; {@code failingSince} is 0 on the first try. */
    private record Connecting(int number, long failingSince) implements Link {
    }

    private record Live(int number, SpeechStream stream) implements Link {
    }

    /** The local detector's end of turn, waiting for the final words. */
    private record PendingEnd(CallInput.CallerFinished local, long callerStartNanos, long lastSpeechNanos,
                              long deadline) {
    }

    private final Recognizer configured;
    private final Optional<StreamingSpeechToText> recognizer;
    private final Hearing hearing;
    private final java.util.function.Consumer<CallInput> post;
    private final CallLog log;
    private final CallMetrics metrics;

    private Link link = new Batch();
    private int streams;

    // Cost since the previous turn.
    private double closedAudioSeconds;
    private int closedFinalizes;
    private double audioSecondsAtTurn;
    private int finalizesAtTurn;
    private int reconnectsThisTurn;
    private boolean fellBackThisTurn;

    // The turn being heard by a live recogniser.
    private final StringBuilder finals = new StringBuilder();
    private String interim = "";
    private int finalizesOutstanding;
    private long finalizeSentNanos;
    private long finalWordsNanos;
    private int speechMsAtFinalize = -1;
    private int pausedSpeechMs = -1;
    private PendingEnd pendingEnd;
    private boolean localTalking;
    private boolean vendorHeardSpeech;
    private boolean talkingSent;
    private int fluxTurnsAhead;

    Listening(Recognizer configured, Optional<StreamingSpeechToText> recognizer, Hearing hearing,
              java.util.function.Consumer<CallInput> post, CallLog log, CallMetrics metrics) {
        this.configured = recognizer.isPresent() ? configured : Recognizer.WHISPER;
        this.recognizer = recognizer;
        this.hearing = hearing;
        this.post = post;
        this.log = log;
        this.metrics = metrics;
    }

    /** Opens the live socket, if the persona uses one; returns at once (the greeting plays meanwhile). */
    void start() {
        if (configured != Recognizer.WHISPER) {
            open(0, 0);
        }
    }

    /** The recogniser hearing the caller now ({@code whisper} once fallen back). */
    String recognizer() {
        return link instanceof Batch ? Recognizer.WHISPER.label() : configured.label();
    }

    /** Whether turns are heard by the live recogniser right now. */
    boolean live() {
        return link instanceof Live;
    }

    // ---- input ------------------------------------------------------------------------------------------

    List<Heard> accept(CallInput.ForListening input, long now) {
        return switch (input) {
            case CallInput.CallerTalking(boolean speechLike) -> callerTalking(speechLike);
            case CallInput.CallerPaused paused -> callerPaused(paused, now);
            case CallInput.CallerResumed resumed -> callerResumed();
            case CallInput.CallerFinished finished -> callerFinished(finished, now);
            case CallInput.Recognized(int number, SpeechEvent event) -> number == streams ? recognized(event, now) : none();
            case CallInput.RecognizerOpened(int number, SpeechStream opened) -> opened(number, opened);
            case CallInput.RecognizerFailed(int number, VendorException error) -> failed(number, error, now);
        };
    }

    /** Deadlines: final words that did not come. Call thread, on every wake-up. */
    List<Heard> tick(long now) {
        if (pendingEnd != null && now >= pendingEnd.deadline()) {
            PendingEnd end = pendingEnd;
            if (configured == Recognizer.NOVA3 && !words(true).isEmpty()) {
                log.info("final words did not come in time; answering the words heard so far");
                return List.of(finished(new Utterance.Text(words(true)), end, now));
            }
            log.warn("final words did not come in time; transcribing the turn in batch",
                     "waitedMs", (now - end.lastSpeechNanos()) / 1_000_000);
            fellBackThisTurn = true;
            return finishFromAudio(end, now);
        }
        return none();
    }

    /** Whether a finished turn waits for its final words, with a deadline {@link #tick} watches. */
    boolean awaitingWords() {
        return pendingEnd != null;
    }

    /** Ends the live socket, if any (bounded by the stream's own close). */
    void close() {
        if (link instanceof Live live) {
            hearing.attach(null);
            live.stream().close();
        }
        link = new Batch();
        streams++;   // events and late opens of any stream are now stale
    }

    // ---- the local detector ---------------------------------------------------------------------------

    private List<Heard> callerTalking(boolean speechLike) {
        localTalking = true;
        // On a live recogniser, the vendor's hearing speech (or words) confirms what the level spread cannot on a
        // noisy line; a cough is shorter than the local detector's interrupt threshold either way.
        boolean evidence = speechLike || live() && (vendorHeardSpeech || !words(true).isEmpty());
        return evidence ? talking() : none();
    }

    private List<Heard> callerPaused(CallInput.CallerPaused paused, long now) {
        return switch (link) {
            case Batch b -> List.of(new Heard.Paused(Utterance.audio(paused.soFar()), paused.speechMs()));
            case Connecting c -> none();     // no speculation while the socket is being reopened
            case Live live -> {
                if (configured == Recognizer.NOVA3) {
                    pausedSpeechMs = paused.speechMs();
                    finalizeNow(live, paused.speechMs(), now);
                }
                yield none();                // the words answer it (see wordsArrived); Flux judges pauses itself
            }
        };
    }

    private List<Heard> callerResumed() {
        pausedSpeechMs = -1;
        return link instanceof Live && configured == Recognizer.FLUX ? none() : List.of(new Heard.Resumed());
    }

    private List<Heard> callerFinished(CallInput.CallerFinished local, long now) {
        long lastSpeech = now - Duration.ofMillis(local.silenceMs()).toNanos();
        long callerStart = now - local.audio().length * 125_000L;   // 8 kHz mu-law: one byte is 125 us
        PendingEnd end = new PendingEnd(local, callerStart, lastSpeech, now + (configured == Recognizer.FLUX
                ? FLUX_END_WAIT : FINAL_WORDS_WAIT).toNanos());
        return switch (link) {
            case Batch b -> finishFromAudio(end, now);
            case Connecting c -> {
                fellBackThisTurn = true;
                yield finishFromAudio(end, now);
            }
            case Live live when configured == Recognizer.FLUX -> {
                if (fluxTurnsAhead > 0) {
                    fluxTurnsAhead = 0;      // Flux already ended this turn; the local detector only caught up
                    resetTurn();
                    yield none();
                }
                pendingEnd = end;
                yield none();
            }
            case Live live -> {
                if (local.speechMs() > speechMsAtFinalize) {
                    finalizeNow(live, local.speechMs(), now);
                }
                if (finalizesOutstanding > 0) {
                    pendingEnd = end;
                    yield none();
                }
                yield List.of(words(false).isEmpty() ? nothing("no words in the turn")
                                                     : finished(new Utterance.Text(words(false)), end, now));
            }
        };
    }

    // ---- the live recogniser --------------------------------------------------------------------------

    private List<Heard> recognized(SpeechEvent event, long now) {
        return switch (event) {
            case SpeechEvent.SpeechStarted started -> {
                vendorHeardSpeech = true;
                yield localTalking ? talking() : none();
            }
            case SpeechEvent.Words words -> wordsArrived(words, now);
            case SpeechEvent.UtteranceEnd end -> none();   // turns end on our own (adaptive) timing
            case SpeechEvent.EagerEndOfTurn eager -> eager.transcript().isBlank() ? none()
                    : List.of(new Heard.Paused(new Utterance.Text(eager.transcript()), 0));
            case SpeechEvent.TurnResumed resumed -> List.of(new Heard.Resumed());
            case SpeechEvent.EndOfTurn end -> fluxEndOfTurn(end.transcript(), now);
            case SpeechEvent.Dropped dropped -> dropped(dropped.why(), now);
        };
    }

    private List<Heard> wordsArrived(SpeechEvent.Words w, long now) {
        if (w.cumulative()) {
            interim = w.text();
        } else if (w.isFinal()) {
            if (!w.text().isBlank()) {
                finals.append(finals.isEmpty() ? "" : " ").append(w.text().strip());
            }
            interim = "";
        } else {
            interim = w.text();
        }
        String soFar = words(true);
        hearing.words(soFar.isEmpty() ? null : soFar);
        List<Heard> out = new java.util.ArrayList<>(2);
        if (localTalking && !soFar.isEmpty()) {
            out.addAll(talking());
        }
        if (w.fromFinalize() && finalizesOutstanding > 0 && --finalizesOutstanding == 0) {
            finalWordsNanos = now;
            if (pendingEnd != null) {
                PendingEnd end = pendingEnd;
                out.add(words(false).isEmpty() ? nothing("no words in the turn") : finished(new Utterance.Text(words(false)), end, now));
            } else if (pausedSpeechMs >= 0 && TurnCompletion.of(words(false)) == TurnCompletion.COMPLETE) {
                // Words that sound finished at a pause: worth answering before the turn is known to be over.
                out.add(new Heard.Paused(new Utterance.Text(words(false)), pausedSpeechMs));
            }
        }
        return out;
    }

    private List<Heard> fluxEndOfTurn(String transcript, long now) {
        PendingEnd end = pendingEnd;
        if (end == null) {
            fluxTurnsAhead++;
            long lastSpeech = now - Duration.ofMillis(hearing.silenceMs()).toNanos();
            end = new PendingEnd(null, lastSpeech - Duration.ofMillis(hearing.speechMs()).toNanos(), lastSpeech, now);
        }
        return List.of(transcript.isBlank() ? nothing("no words in the turn")
                               : finished(new Utterance.Text(transcript), end, now));
    }

    private List<Heard> opened(int number, SpeechStream opened) {
        if (number != streams || !(link instanceof Connecting connecting)) {
            closeQuietly(opened);
            return none();
        }
        if (connecting.failingSince() != 0) {
            log.info("live speech-to-text reopened", "model", recognizer.orElseThrow().model());
            // Hearing replays the turn so far into the new socket: its words start afresh.
            finals.setLength(0);
            interim = "";
            finalizesOutstanding = 0;
            speechMsAtFinalize = -1;
        }
        link = new Live(number, opened);
        hearing.attach(opened);
        return none();
    }

    private List<Heard> failed(int number, VendorException error, long now) {
        if (number != streams || !(link instanceof Connecting connecting)) {
            return none();
        }
        metrics.vendorError(error.vendor(), error.kind().name());
        long since = connecting.failingSince() == 0 ? now : connecting.failingSince();
        if (error.kind().retryable() && now - since < REOPEN_WITHIN.toNanos()) {
            log.warn("live speech-to-text could not open; trying again: " + error.getMessage(), "kind", error.kind().name());
            open(since, RETRY_DELAY_MS);
            return none();
        }
        return fallBack("could not open: " + error.getMessage(), now);
    }

    private List<Heard> dropped(String why, long now) {
        if (!(link instanceof Live live)) {
            return none();
        }
        log.warn("live speech-to-text dropped; reopening: " + why);
        metrics.sttReconnect();
        hearing.attach(null);
        retire(live.stream());
        reconnectsThisTurn++;
        pausedSpeechMs = -1;
        open(now, 0);
        if (pendingEnd != null) {
            fellBackThisTurn = true;
            return finishFromAudio(pendingEnd, now);
        }
        return none();
    }

    private List<Heard> fallBack(String why, long now) {
        log.warn("live speech-to-text unavailable; transcribing in batch for the rest of the call: " + why);
        metrics.sttFallback();
        link = new Batch();
        hearing.attach(null);
        if (pendingEnd != null) {
            fellBackThisTurn = true;
            return finishFromAudio(pendingEnd, now);
        }
        return none();
    }

    private void open(long failingSince, long delayMs) {
        int number = ++streams;
        link = new Connecting(number, failingSince);
        StreamingSpeechToText stt = recognizer.orElseThrow();
        Thread.ofVirtual().name("stt-open-" + log.callSid()).start(() -> {
            try {
                if (delayMs > 0) {
                    Thread.sleep(delayMs);
                }
                SpeechStream stream = stt.open(log.callSid(), event -> post.accept(new CallInput.Recognized(number, event)));
                post.accept(new CallInput.RecognizerOpened(number, stream));
            } catch (VendorException e) {
                post.accept(new CallInput.RecognizerFailed(number, e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                post.accept(new CallInput.RecognizerFailed(number, new VendorException(
                        "cloudflare", VendorException.Kind.NETWORK, 0, "opening the socket failed: " + e)));
            }
        });
    }

    // ---- turns ------------------------------------------------------------------------------------------

    private void finalizeNow(Live live, int speechMs, long now) {
        live.stream().finalizeNow();
        finalizesOutstanding++;
        finalizeSentNanos = now;
        speechMsAtFinalize = speechMs;
    }

    private List<Heard> finishFromAudio(PendingEnd end, long now) {
        CallInput.CallerFinished local = end.local();
        if (local == null) {
            return List.of(nothing("no audio to transcribe"));
        }
        if (!local.speechLike()) {
            log.info("ignoring a turn whose level never varied: line noise, not speech",
                     "spreadDb", Math.round(local.spreadDb() * 10) / 10.0);
            return List.of(nothing("line noise"));
        }
        return List.of(finished(Utterance.audio(local.audio()), end, now));
    }

    private Heard finished(Utterance words, PendingEnd end, long now) {
        boolean streamed = words instanceof Utterance.Text;
        int speechMs = end.local() != null ? end.local().speechMs() : hearing.speechMs();
        Heard.Finished done = new Heard.Finished(words, end.callerStartNanos(), end.lastSpeechNanos(), speechMs,
                                                 streamed ? finalizeSentNanos : 0,
                                                 streamed ? Math.max(finalizeSentNanos, finalWordsNanos) : 0, cost());
        resetTurn();
        return done;
    }

    private Heard nothing(String why) {
        cost();
        resetTurn();
        return new Heard.Nothing(why);
    }

    /** The cost of listening since the previous turn; starts counting afresh. */
    private TurnListeningCost cost() {
        double audio = closedAudioSeconds;
        int finalizes = closedFinalizes;
        if (link instanceof Live live) {
            audio += live.stream().audioSeconds();
            finalizes += live.stream().finalizes();
        }
        TurnListeningCost cost = new TurnListeningCost(fellBackThisTurn ? Recognizer.WHISPER.label() : recognizer(),
                                                       audio - audioSecondsAtTurn, finalizes - finalizesAtTurn,
                                                       reconnectsThisTurn, fellBackThisTurn);
        audioSecondsAtTurn = audio;
        finalizesAtTurn = finalizes;
        reconnectsThisTurn = 0;
        fellBackThisTurn = false;
        return cost;
    }

    private void resetTurn() {
        // The answer to an earlier Finalize may still come; its (empty) words belong to nobody.
        finalizesOutstanding = 0;
        finalWordsNanos = 0;
        finals.setLength(0);
        interim = "";
        pendingEnd = null;
        pausedSpeechMs = -1;
        speechMsAtFinalize = -1;
        localTalking = false;
        vendorHeardSpeech = false;
        talkingSent = false;
        hearing.words(null);
    }

    private List<Heard> talking() {
        if (talkingSent) {
            return none();
        }
        talkingSent = true;
        return List.of(new Heard.Talking());
    }

    /** The turn's words: the final segments, plus the interim ones when {@code withInterim}. */
    private String words(boolean withInterim) {
        if (!withInterim || interim.isBlank()) {
            return finals.toString();
        }
        if (configured == Recognizer.FLUX) {
            return interim;   // Flux transcripts are the whole turn so far
        }
        return finals.isEmpty() ? interim : finals + " " + interim;
    }

    private void retire(SpeechStream stream) {
        closedAudioSeconds += stream.audioSeconds();
        closedFinalizes += stream.finalizes();
        closeQuietly(stream);
    }

    private static void closeQuietly(SpeechStream stream) {
        Thread.ofVirtual().start(stream::close);
    }

    private static List<Heard> none() {
        return List.of();
    }
}
