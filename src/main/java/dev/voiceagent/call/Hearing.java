package dev.voiceagent.call;

import java.util.function.Consumer;

import dev.voiceagent.audio.LevelSpread;
import dev.voiceagent.audio.TurnDetector;
import dev.voiceagent.audio.TurnSettings;
import dev.voiceagent.audio.UtteranceBuffer;
import dev.voiceagent.audio.VadSettings;
import dev.voiceagent.audio.VoiceActivityDetector;
import dev.voiceagent.persona.TurnTaking;
import dev.voiceagent.stt.SpeechStream;

/**
 * Listens to the caller, frame by frame, on the socket's reader thread, and tells the call thread only what
 * matters to the conversation: the caller is talking, paused, went on after a pause, or finished their turn.
 * Twilio sends 50 frames a second; waking the call thread for each one cost more than all the listening
 * itself, so the per-frame work (voice activity, level spread, turn timing, the turn's audio) lives here.
 *
 * <p>With a live recogniser, every frame is also forwarded to its {@link SpeechStream} right here. When the
 * call thread attaches a new stream (after a reconnect), the current turn's audio so far is replayed into it
 * first, so the recogniser hears the whole turn.
 *
 * <p>Threads: {@link #frame} only on the reader thread, which owns all the state here. The call thread may
 * call {@link #speculating}, {@link #words}, {@link #attach} and read {@link #callerInTurn()}; these go through
 * volatile fields.
 */
final class Hearing {

    /** Below this spread of frame levels (dB), "speech" is stationary noise; speech varies by several dB. */
    static final double MIN_SPEECH_SPREAD_DB = 2.5;
    /** Less speech than this in a turn is a cough or a click, not something to answer. */
    static final int MIN_TURN_SPEECH_MS = TurnSettings.defaults().minTurnSpeechMs();
    /** Speech after a pause that means the caller went on talking (a breath or click is less). */
    static final int RESUMED_SPEECH_MS = 100;

    private final TurnTaking turnTaking;
    /** The speech after which the caller counts as talking: a turn has started and barge-in is decided. */
    private final int talkingAfterMs;
    /** The silence after which a pause is posted (speculation on), in ms; 0 without speculation. */
    private final int pauseAfterMs;
    /** The shortest pause that can end a turn ({@link #endOfTurnMs}): the adaptive minimum when it is shorter. */
    private final int earliestEndOfTurnMs;
    private final Consumer<CallInput> post;
    private final VoiceActivityDetector vad = new VoiceActivityDetector(VadSettings.defaults());
    private final LevelSpread spread = new LevelSpread();
    private final TurnDetector turns;
    private final UtteranceBuffer utterance;
    private boolean talkingPosted;
    private boolean pausePosted;
    private int speechAtPauseMs;
    private boolean talkingLikeSpeechPosted;
    private boolean lastFrameSpeech;
    private volatile boolean inTurn;
    private volatile int turnSilenceMs;
    private volatile int turnSpeechMs;
    private volatile AgentReply speculative;
    private volatile String words;
    private volatile SpeechStream stream;
    private volatile SpeechStream attachPending;

    Hearing(TurnTaking turnTaking, int maxUtteranceBytes, Consumer<CallInput> post) {
        this.turnTaking = turnTaking;
        this.talkingAfterMs = (int) Math.max(turnTaking.interruptAfter().toMillis(), turnTaking.minSpeech().toMillis());
        TurnTaking.Speculation s = turnTaking.speculation();
        this.pauseAfterMs = s.enabled() ? (int) s.after().toMillis() : 0;
        long normalEnd = turnTaking.endOfTurn().toMillis();
        this.earliestEndOfTurnMs = (int) (s.enabled() ? Math.min(normalEnd, s.endOfTurnMin().toMillis()) : normalEnd);
        this.post = post;
        // The detector ends a turn at the longest wait; shorter (adaptive) ends are decided in frame().
        this.turns = new TurnDetector(new TurnSettings((int) turnTaking.minSpeech().toMillis(),
                                                       (int) turnTaking.longestEndOfTurn().toMillis(),
                                                       MIN_TURN_SPEECH_MS));
        this.utterance = new UtteranceBuffer(8 * 300, maxUtteranceBytes);
    }

    /** One frame of caller audio (reader thread). */
    void frame(byte[] mulaw) {
        forward(mulaw);
        boolean speech = vad.isSpeech(mulaw, 0, mulaw.length);
        lastFrameSpeech = speech;
        int frameMs = Math.max(1, mulaw.length / 8);
        if (speech) {
            spread.add(vad.lastLevelDbfs());
        } else if (!turns.inTurn()) {
            spread.reset();
        }
        utterance.offer(mulaw, 0, mulaw.length);
        int speechMs = turns.turnSpeechMs();
        TurnDetector.Event event = turns.accept(speech, frameMs);
        if (event == TurnDetector.Event.SPEECH_STARTED) {
            utterance.begin();
            talkingPosted = false;
            talkingLikeSpeechPosted = false;
            pausePosted = false;
        }
        inTurn = turns.inTurn();
        if (inTurn) {
            speechMs = turns.turnSpeechMs();
            listenWithinTurn(speech, speechMs);
        }
        int silenceMs = turns.silenceMs();
        turnSilenceMs = silenceMs;
        turnSpeechMs = speechMs;
        if (event == TurnDetector.Event.TURN_ENDED) {
            turnEnded(silenceMs, speechMs);
        } else if (inTurn && !speech && speechMs >= MIN_TURN_SPEECH_MS && silenceMs >= endOfTurnMs(silenceMs)) {
            turns.reset();
            inTurn = false;
            turnEnded(silenceMs, speechMs);
        }
    }

    private void listenWithinTurn(boolean speech, int speechMs) {
        boolean speechLike = spread.spreadDb() >= MIN_SPEECH_SPREAD_DB;
        // Posted once when the caller has talked long enough to interrupt, and once more if the level spread
        // only later shows it is speech (on a noisy line it may never: then a live recogniser decides).
        if (speechMs >= turnTaking.interruptAfter().toMillis()
                && (!talkingPosted || speechLike && !talkingLikeSpeechPosted)) {
            talkingPosted = true;
            talkingLikeSpeechPosted = speechLike;
            post.accept(new CallInput.CallerTalking(speechLike));
        }
        if (speech && pausePosted && speechMs - speechAtPauseMs >= RESUMED_SPEECH_MS) {
            pausePosted = false;
            post.accept(new CallInput.CallerResumed());
        }
        TurnTaking.Speculation s = turnTaking.speculation();
        if (!speech && !pausePosted && s.enabled() && speechLike && speechMs >= MIN_TURN_SPEECH_MS
                && turns.silenceMs() >= s.after().toMillis()) {
            pausePosted = true;
            speechAtPauseMs = speechMs;
            post.accept(new CallInput.CallerPaused(utterance.snapshot(), speechMs));
        }
    }

    private void turnEnded(int silenceMs, int speechMs) {
        byte[] audio = utterance.finish();
        double spreadDb = spread.spreadDb();
        boolean speechLike = spreadDb >= MIN_SPEECH_SPREAD_DB;
        spread.reset();
        pausePosted = false;
        words = null;
        post.accept(new CallInput.CallerFinished(audio, silenceMs, speechMs, speechLike, spreadDb));
    }

    /**
     * How long a pause ends this turn: the persona's setting, shorter when the speculative transcript is a
     * finished sentence or question, longer when it trails off.
     */
    private long endOfTurnMs(int silenceMs) {
        long normal = turnTaking.endOfTurn().toMillis();
        TurnTaking.Speculation s = turnTaking.speculation();
        if (!s.enabled() || silenceMs < s.endOfTurnMin().toMillis()) {
            return normal;
        }
        String heard = words;
        AgentReply pending = speculative;
        if (heard == null && pending != null) {
            heard = pending.callerText().orElse(null);
        }
        return switch (TurnCompletion.of(heard)) {
            case COMPLETE -> s.endOfTurnMin().toMillis();
            case TRAILING -> s.endOfTurnMax().toMillis();
            case UNKNOWN -> normal;
        };
    }

    /** The answer being speculated for this turn, whose transcript adapts the end-of-turn wait (call thread). */
    void speculating(AgentReply reply) {
        this.speculative = reply;
    }

    /** The turn's words so far from a live recogniser (null: none), which adapt the end-of-turn wait. */
    void words(String soFar) {
        this.words = soFar;
    }

    /**
     * Sends the caller's audio to {@code next} from the next frame on (null: to no recogniser); the current
     * turn's audio so far is replayed into it first. Any thread.
     */
    void attach(SpeechStream next) {
        attachPending = next;
        if (next == null) {
            stream = null;
        }
    }

    private void forward(byte[] mulaw) {
        SpeechStream next = attachPending;
        if (next != null) {
            attachPending = null;
            stream = next;
            if (turns.inTurn() || turns.turnSpeechMs() > 0) {
                next.audio(utterance.snapshot());
            }
        }
        SpeechStream live = stream;
        if (live != null) {
            live.audio(mulaw);
        }
    }

    /**
     * How much of the caller's audio may wait in the socket before anything decided here could hang on it, in ms
     * (reader thread, after {@link #frame}): a lower bound on the audio still to come before the next post to the
     * call thread. A reader that rests a frame less than this reads the deciding frame as soon as it arrives, so a
     * rest delays no barge-in, pause or end of turn, only the frames before them ({@link ReaderPacing}). 0: hear
     * the next frame as it comes.
     *
     * <ul>
     *   <li>Quiet (or an onset not yet a turn): the caller must talk {@link #talkingAfterMs} before they count as
     *       talking (the barge-in decision), less what the onset already holds.</li>
     *   <li>In a turn: the least of what is still pending: talking ({@code interruptAfter} of speech), going on after
     *       a pause ({@value #RESUMED_SPEECH_MS} ms of speech), a pause (the speculation wait of silence) and the
     *       earliest end of turn (the shorter of the persona's end-of-turn wait and the adaptive minimum). Speech
     *       counts only on speech frames and silence only on silent ones, so the audio to any of them is at least
     *       what it lacks.</li>
     *   <li>Frame by frame where the next decision can come on any frame: the level spread may show the talking to
     *       be speech on a noisy line, and the adaptive end of turn waits on words arriving from the call thread.
     *       </li>
     *   <li>With a live recogniser attached, also wherever it decides on the audio it is sent as it comes: the
     *       start of speech (its word on barge-in) and a turn's silences (its end of turn). It is sent the caller's
     *       speech a few frames at a time only in mid-sentence, once talking was posted as speech-like.</li>
     * </ul>
     */
    int audioBeforeNextDecisionMs() {
        if (stream != null && (inTurn ? !lastFrameSpeech || !talkingPosted || pausePosted : lastFrameSpeech)) {
            return 0;
        }
        int speechMs = turns.turnSpeechMs();
        if (!inTurn) {
            return Math.max(0, talkingAfterMs - speechMs);
        }
        if (talkingPosted && !talkingLikeSpeechPosted) {
            return 0;
        }
        int silenceMs = turns.silenceMs();
        int until = Integer.MAX_VALUE;
        if (!talkingPosted) {
            until = Math.min(until, talkingAfterMs - speechMs);
        }
        if (pausePosted) {
            until = Math.min(until, RESUMED_SPEECH_MS - (speechMs - speechAtPauseMs));
        } else if (silenceMs < pauseAfterMs) {
            until = Math.min(until, pauseAfterMs - silenceMs);
        }
        until = Math.min(until, earliestEndOfTurnMs - silenceMs);
        return Math.max(0, until);
    }

    /** Silence since the caller's last speech frame, in ms (any thread). */
    int silenceMs() {
        return turnSilenceMs;
    }

    /** Speech in the current (or last) turn, in ms (any thread). */
    int speechMs() {
        return turnSpeechMs;
    }

    /** Whether the caller is in the middle of a turn (any thread). */
    boolean callerInTurn() {
        return inTurn;
    }
}
