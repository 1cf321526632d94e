package dev.voiceagent.call;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.SystemPrompt;
import dev.voiceagent.persona.TurnTaking;
import dev.voiceagent.store.CallerHistory;
import dev.voiceagent.store.PastCall;
import dev.voiceagent.twilio.MediaStreamSender;
import dev.voiceagent.twilio.StreamEvent;
import dev.voiceagent.vendor.VendorException;

/**
 * One phone call, from the media socket's {@code start} to hang-up: greet, then listen, answer and let the
 * caller interrupt, until someone ends the call.
 *
 * <h2>Lifecycle contract</h2>
 * <ul>
 *   <li>Created on the socket's reader thread when the socket opens. {@link #run()} is called exactly once,
 *       on the call's own virtual thread (the <em>call thread</em>).</li>
 *   <li>{@link #hear}, {@link #deliver} and {@link #socketClosed} are called by the reader thread only and
 *       never block. {@link #hear} listens to each audio frame right there ({@link Hearing}: voice activity,
 *       turn timing, the turn's audio) and enqueues only conversation events (caller talking, paused,
 *       resumed, finished); the other two enqueue Twilio's messages. Nothing else crosses from the socket
 *       into the call.</li>
 *   <li>All conversation state (history, timers, which reply is playing, speculation) is owned by the call
 *       thread and needs no locks; it wakes for events and every 200 ms for timers. Each reply is produced
 *       on its own virtual threads ({@link ReplyProducer}), which report back through the same inbox.
 *       Audio leaves through the {@link Playout}'s single sender thread.</li>
 *   <li>Storage never waits on the database: {@code begin} asks for the caller's history (bounded, 300 ms),
 *       then each finished turn, as heard, and the call's end are handed to the {@link CallRecorder}, which
 *       queues them for the journal's writer thread without blocking.</li>
 *   <li>{@link #finish} runs exactly once, on the call thread, however the call ends (Twilio {@code stop},
 *       close frame, failed send, inbound-silence watchdog, time limit, error). Every teardown step is
 *       bounded in time. After it, the socket is closed and the call is gone from the registry.</li>
 * </ul>
 */
public final class CallSession implements Runnable {

    /** Timers only (reprompts, watchdog, keypad pauses): the caller's audio is listened to by {@link Hearing}. */
    private static final long TICK_MILLIS = 200;
    private static final int INBOX_CAPACITY = 1_000;
    private static final int MAX_HISTORY = 40;
    private static final Duration DIGIT_PAUSE = Duration.ofMillis(1500);
    private static final Duration MARK_GRACE = Duration.ofSeconds(2);
    private static final Duration TEARDOWN_STEP = Duration.ofSeconds(1);
    /**
     * An answer started while the caller pauses, held until their turn is known to be over.
     * {@code speechMs} is how much the caller had said when it started.
     */
    private record Speculation(AgentReply reply, ReplyProducer producer, int speechMs) {
    }

    private final CallServices services;
    private final MediaStreamSender out;
    private final BlockingQueue<CallInput> inbox = new LinkedBlockingQueue<>(INBOX_CAPACITY);
    private final AtomicBoolean droppedWarned = new AtomicBoolean();
    private final long openedNanos;

    // Set once by begin(); owned by the call thread afterwards.
    private volatile String callSid = "";
    private CallLog log = new CallLog("-");
    private Persona persona;
    private TurnTaking turnTaking;
    private Playout playout;
    private Conversation conversation;
    private volatile Hearing hearing;
    private CallRecorder recorder;
    private List<PastCall> history = List.of();
    private long startedNanos;

    // Conversation state, call thread only.
    private AgentReply current;
    private Speculation speculation;
    private int speculationsThisTurn;
    private final List<AgentReply> discardedThisTurn = new ArrayList<>();
    private ReplyProducer producer;
    private long replyCount;
    private volatile long lastInboundNanos;
    private long lastActivityNanos;
    private int silencePrompts;
    private byte[] carriedAudio;
    private byte[] currentTurnAudio;
    private final StringBuilder digits = new StringBuilder();
    private long lastDigitNanos;
    private long firstDigitNanos;
    private boolean goodbyeStarted;
    private boolean endAfterGoodbye;
    private boolean greetingMeasured;
    private int turnCount;
    private boolean finished;

    CallSession(CallServices services, MediaStreamSender out) {
        this.services = services;
        this.out = out;
        this.openedNanos = services.nanoTime().getAsLong();
    }

    /** Hands a decoded Twilio message to the call thread. Reader thread only; never blocks. */
    void deliver(StreamEvent event) {
        lastInboundNanos = now();
        offer(new CallInput.FromTwilio(event));
    }

    /**
     * One frame of caller audio: listened to right here on the reader thread, so the call thread is only
     * woken when something happens in the conversation. Frames before {@code start} are ignored.
     */
    void hear(StreamEvent.Media media) {
        lastInboundNanos = now();
        Hearing listening = hearing;
        if (listening != null) {
            listening.frame(media.payload());
        }
    }

    /** Tells the call thread the socket is gone. Reader thread only; never blocks. */
    void socketClosed(String why) {
        offer(new CallInput.SocketClosed(why));
    }

    /** Ends the call (server shutdown). Any thread; never blocks. */
    void terminate(String reason) {
        offer(new CallInput.SocketClosed(reason));
    }

    /** The call's Twilio CallSid, or empty before {@code start}. */
    public String callSid() {
        return callSid;
    }

    @Override
    public void run() {
        String endReason = "error";
        try {
            Optional<StreamEvent.Start> start = awaitStart();
            if (start.isEmpty()) {
                endReason = "rejected";
                return;
            }
            begin(start.get());
            greet();
            endReason = converse();
        } catch (InterruptedException e) {
            endReason = "interrupted";
        } catch (RuntimeException e) {
            log.warn("call failed", e);
        } finally {
            finish(endReason);
        }
    }

    // ---- the conversation -------------------------------------------------------------------------------

    private String converse() throws InterruptedException {
        while (true) {
            CallInput input = inbox.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
            long now = now();
            switch (input) {
                case null -> { }
                case CallInput.FromTwilio(StreamEvent event) -> {
                    switch (event) {
                        case StreamEvent.Media media -> { }   // heard on the reader thread (see hear)
                        case StreamEvent.Mark mark -> markPlayed(mark.name(), now);
                        case StreamEvent.Dtmf dtmf -> keyPressed(dtmf.digit(), now);
                        case StreamEvent.Stop stop -> {
                            return "caller hung up";
                        }
                        case StreamEvent.Start again -> log.warn("ignoring a second start message");
                        case StreamEvent.Connected connected -> { }
                        case StreamEvent.Unknown unknown -> log.debug("ignoring unknown event", "event", unknown.event());
                    }
                }
                case CallInput.SocketClosed closed -> {
                    return closed.why().startsWith("server") ? closed.why() : "socket closed: " + closed.why();
                }
                case CallInput.ReplyProduced produced -> replyProduced(produced.reply(), now);
                case CallInput.CallerTalking talking -> callerTookTheFloor(now);
                case CallInput.CallerPaused paused -> maybeSpeculate(paused);
                case CallInput.CallerResumed resumed -> discardSpeculation("the caller went on talking");
                case CallInput.CallerFinished turn -> callerFinishedTurn(now, turn);
            }
            Optional<String> end = checkTimers(now);
            if (end.isPresent()) {
                return end.get();
            }
        }
    }

    /** The caller paused mid-turn: answer what they said so far, held until the turn is known to be over. */
    private void maybeSpeculate(CallInput.CallerPaused paused) {
        TurnTaking.Speculation s = turnTaking.speculation();
        if (!s.enabled() || speculation != null || current != null || goodbyeStarted || !digits.isEmpty()
                || speculationsThisTurn >= s.maxPerTurn()) {
            return;
        }
        speculationsThisTurn++;
        byte[] soFar = concat(carriedAudio, paused.soFar());
        AgentReply reply = new AgentReply(++replyCount, AgentReply.Kind.ANSWER, true, false, new TurnTimings(),
                                          soFar, null);
        speculation = new Speculation(reply, ReplyProducer.speculate(services, persona, playout, log, this::offer,
                                                                     reply, conversation.messages()),
                                      paused.speechMs());
        hearing.speculating(reply);
        log.debug("speculating on a pause", "reply", reply.number(), "audioMs", soFar.length / 8);
    }

    /** Gives up a speculation: none of it is played, heard or stored; its cost is counted with the turn. */
    private void discardSpeculation(String why) {
        Speculation dropped = speculation;
        if (dropped == null) {
            return;
        }
        speculation = null;
        hearing.speculating(null);
        dropped.producer().cancel();
        playout.silence(dropped.reply().number());
        discardedThisTurn.add(dropped.reply());
        services.metrics().speculation("discarded");
        log.info("speculation discarded: " + why, "reply", dropped.reply().number());
    }

    private void callerTookTheFloor(long now) {
        silencePrompts = 0;
        lastActivityNanos = now;
        if (current == null) {
            return;
        }
        if (current.kind() == AgentReply.Kind.ANSWER && !audible(current)) {
            // The caller went on talking before we said anything: drop the answer in progress and treat
            // what they said before and after the pause as one turn, transcribed again as a whole.
            log.info("caller continued before the answer started; merging turns", "reply", current.number());
            carriedAudio = concat(carriedAudio, currentTurnAudio);
            if (current.typedInput().isPresent()) {
                digits.insert(0, current.typedInput().get() + " ");
            }
            abandon(current);
        } else if (current.interruptible() && turnTaking.interruptible() && audible(current)) {
            bargeIn(now);
        }
    }

    private void callerFinishedTurn(long now, CallInput.CallerFinished turn) {
        byte[] audio = concat(carriedAudio, turn.audio());
        int silenceMs = turn.silenceMs();
        if (!turn.speechLike()) {
            log.info("ignoring a turn whose level never varied: line noise, not speech",
                     "spreadDb", Math.round(turn.spreadDb() * 10) / 10.0);
            discardSpeculation("noise");
            endTurnBookkeeping(null);
            return;
        }
        carriedAudio = null;
        lastActivityNanos = now;
        if (current != null && !current.interruptible()) {
            log.info("caller spoke during the goodbye; not answering");
            discardSpeculation("goodbye in progress");
            endTurnBookkeeping(null);
            return;
        }
        if (current != null) {
            // A short answer ("yes") spoken over the agent, too brief to count as an interruption while it
            // was being said, still ends the agent's turn.
            bargeIn(now);
        }
        services.metrics().stage(CallMetrics.Stage.END_OF_SPEECH, Duration.ofMillis(silenceMs));
        currentTurnAudio = audio;
        if (speculation != null) {
            confirmSpeculation(audio, now, silenceMs, turn.speechMs() - speculation.speechMs());
        } else {
            answer(audio, null, turnTimings(new TurnTimings(), now, silenceMs, audio.length));
        }
        endTurnBookkeeping(current);
    }

    /** The turn is over and an answer to it is already under way: play it, checking the words if needed. */
    private void confirmSpeculation(byte[] turnAudio, long now, int silenceMs, int speechSinceMs) {
        Speculation confirmed = speculation;
        speculation = null;
        hearing.speculating(null);
        turnCount++;
        services.metrics().turn();
        current = confirmed.reply();
        producer = confirmed.producer();
        turnTimings(current.timings(), now, silenceMs, turnAudio.length);
        if (speechSinceMs <= 0) {
            current.speculation("used");
            producer.release();
        } else {
            producer.verify(turnAudio);
        }
    }

    private static TurnTimings turnTimings(TurnTimings timings, long now, int silenceMs, int audioBytes) {
        timings.turnEndNanos = now;
        timings.callerStartNanos = now - audioBytes * 125_000L;   // 8 kHz mu-law: one byte is 125 us
        timings.lastCallerSpeechNanos = now - Duration.ofMillis(silenceMs).toNanos();
        return timings;
    }

    /** Charges given-up speculations to the turn's answer (or to nobody) and starts counting afresh. */
    private void endTurnBookkeeping(AgentReply answer) {
        if (answer != null) {
            for (AgentReply dropped : discardedThisTurn) {
                answer.addDiscarded(1, dropped.sttRequests(), dropped.llmRequests());
            }
        }
        discardedThisTurn.clear();
        speculationsThisTurn = 0;
    }

    private void keyPressed(String digit, long now) {
        log.info("caller pressed a key", "digit", digit);
        discardSpeculation("keys pressed");
        lastActivityNanos = now;
        silencePrompts = 0;
        if (current != null && current.interruptible() && audible(current)) {
            bargeIn(now);
        }
        if (digits.isEmpty()) {
            firstDigitNanos = now;
        }
        digits.append(digit).append(' ');
        lastDigitNanos = now;
        if (digit.equals("#")) {
            answerKeys(now);
        }
    }

    private void answerKeys(long now) {
        String keys = digits.toString().strip();
        digits.setLength(0);
        if (keys.isEmpty()) {
            return;
        }
        TurnTimings timings = new TurnTimings();
        timings.turnEndNanos = now;
        timings.lastCallerSpeechNanos = lastDigitNanos;
        timings.callerStartNanos = firstDigitNanos;
        currentTurnAudio = null;
        answer(null, "(The caller pressed: " + keys + ")", timings);
    }

    /** The caller talked over the agent: silence the line now and remember only what they heard. */
    private void bargeIn(long now) {
        AgentReply interrupted = current;
        if (interrupted == null) {
            return;
        }
        services.metrics().bargeIn();
        log.info("caller interrupted the agent", "reply", interrupted.number());
        stopCurrent(now, true);
    }

    private void markPlayed(String name, long now) {
        Optional<AgentReply.MarkName> mark = AgentReply.parseMark(name);
        if (mark.isEmpty() || current == null || mark.get().reply() != current.number()) {
            return; // a mark of a cleared or finished reply, echoed late: not evidence of anything heard
        }
        if (!mark.get().isEnd()) {
            current.piecePlayed(mark.get().piece(), now);
            return;
        }
        AgentReply played = current;
        current = null;
        producer = null;
        remember(played, played.fullText(), false, now);
        if (played.endsCall()) {
            endAfterGoodbye = true;
        }
    }

    private void replyProduced(AgentReply reply, long now) {
        if (reply != current) {
            return;
        }
        if (!reply.hasAudio()) {
            // Nothing to play (no words heard, or every vendor failed): the floor goes back to the caller.
            current = null;
            producer = null;
            lastActivityNanos = now;
            if (reply.callerText().isPresent()) {
                conversation.caller(reply.callerText().get());
                recordCaller(reply);
            }
            if (reply.endsCall()) {
                endAfterGoodbye = true;
            }
        }
    }

    private Optional<String> checkTimers(long now) {
        if (endAfterGoodbye) {
            return Optional.of(hangUp());
        }
        if (now - lastInboundNanos > services.settings().inboundSilenceLimit().toNanos()) {
            return Optional.of("no media from Twilio for " + services.settings().inboundSilenceLimit().toSeconds() + " s");
        }
        if (!greetingMeasured && playout.firstFrameNanos(1) > 0) {
            greetingMeasured = true;
            services.metrics().stage(CallMetrics.Stage.GREETING, Duration.ofNanos(playout.firstFrameNanos(1) - startedNanos));
        }
        Duration elapsed = Duration.ofNanos(now - startedNanos);
        if (elapsed.compareTo(turnTaking.maxCallLength()) >= 0 && !goodbyeStarted) {
            log.info("call reached its time limit", "limitSeconds", turnTaking.maxCallLength().toSeconds());
            stopCurrent(now, true);
            sayGoodbye();
        }
        if (elapsed.compareTo(turnTaking.maxCallLength().plus(Duration.ofSeconds(30))) >= 0) {
            return Optional.of("time limit");
        }
        if (current != null && current.produced() && playout.idle()
                && now - playout.lastFrameNanos() > services.settings().playoutLead().plus(MARK_GRACE).toNanos()) {
            // Twilio did not echo the end mark in time; trust our own clock so the call cannot stall.
            markPlayed(current.endMarkName(), now);
        }
        if (!digits.isEmpty() && now - lastDigitNanos >= DIGIT_PAUSE.toNanos()) {
            answerKeys(now);
        }
        if (current == null && !hearing.callerInTurn() && !goodbyeStarted
                && now - lastActivityNanos >= turnTaking.repromptAfter().toNanos()) {
            if (silencePrompts++ == 0) {
                log.info("caller silent; prompting again");
                say(persona.reprompt(), AgentReply.Kind.REPROMPT, false);
            } else {
                log.info("caller still silent; saying goodbye");
                sayGoodbye();
            }
        }
        return Optional.empty();
    }

    // ---- speaking -----------------------------------------------------------------------------------------

    private void answer(byte[] callerAudio, String typed, TurnTimings timings) {
        turnCount++;
        services.metrics().turn();
        current = new AgentReply(++replyCount, AgentReply.Kind.ANSWER, true, false, timings, callerAudio, typed);
        producer = ReplyProducer.answer(services, persona, playout, log, this::offer, current, conversation.messages());
    }

    /** The persona's greeting; a returning caller whose name is known is greeted by name. */
    private void greet() {
        Optional<String> name = CallerHistory.name(history);
        if (name.isPresent() && !persona.returningGreeting().isBlank()) {
            log.info("returning caller", "previousCalls", history.size());
            // Not cached: it carries the caller's name, and is said to this caller only.
            say(persona.returningGreeting().replace("{name}", name.get()), AgentReply.Kind.GREETING, false, false);
        } else {
            say(persona.greeting(), AgentReply.Kind.GREETING, false);
        }
    }

    private void say(String text, AgentReply.Kind kind, boolean endsCall) {
        say(text, kind, endsCall, true);
    }

    private void say(String text, AgentReply.Kind kind, boolean endsCall, boolean cacheable) {
        boolean interruptible = kind != AgentReply.Kind.GOODBYE;
        current = new AgentReply(++replyCount, kind, interruptible, endsCall, new TurnTimings(), null, null);
        producer = ReplyProducer.phrase(services, persona, playout, log, this::offer, current, text, cacheable);
    }

    private void sayGoodbye() {
        discardSpeculation("saying goodbye");
        goodbyeStarted = true;
        say(persona.goodbye(), AgentReply.Kind.GOODBYE, true);
    }

    /** Stops the current reply, clearing Twilio's buffer, and keeps what was heard in the history. */
    private void stopCurrent(long now, boolean interrupted) {
        AgentReply stopped = current;
        if (stopped == null) {
            return;
        }
        long playStart = playout.firstFrameNanos(stopped.number());
        abandon(stopped);
        remember(stopped, stopped.heardText(now, playStart), interrupted, now);
    }

    /** Cancels the current reply's production and playback without recording anything. */
    private void abandon(AgentReply reply) {
        if (producer != null) {
            producer.cancel();
        }
        if (audible(reply) || !playout.idle()) {
            playout.clear(reply.number());
        } else {
            playout.silence(reply.number());
        }
        current = null;
        producer = null;
    }

    /** What was said in one exchange goes into the conversation; one log line per answered turn. */
    private void remember(AgentReply reply, String heard, boolean interrupted, long now) {
        reply.callerText().ifPresent(conversation::caller);
        recordCaller(reply);
        if (!heard.isBlank()) {
            conversation.agent(interrupted ? heard + "—" : heard);
            long firstFrame = playout.firstFrameNanos(reply.number());
            recorder.agent(heard, firstFrame > 0 ? firstFrame : now, now, interrupted,
                           reply.kind() == AgentReply.Kind.ANSWER ? CallRecorder.timings(reply.timings(), firstFrame)
                                                                  : Map.of());
        }
        lastActivityNanos = now;
        if (reply.kind() == AgentReply.Kind.ANSWER) {
            logTurn(reply, interrupted);
        }
    }

    private void recordCaller(AgentReply reply) {
        reply.callerText().ifPresent(text -> recorder.caller(text, reply.timings().callerStartNanos,
                                                             reply.timings().lastCallerSpeechNanos));
    }

    private void logTurn(AgentReply reply, boolean interrupted) {
        TurnTimings t = reply.timings();
        long firstFrame = playout.firstFrameNanos(reply.number());
        long voiceToVoice = TurnTimings.millis(t.lastCallerSpeechNanos, firstFrame);
        if (voiceToVoice >= 0) {
            services.metrics().stage(CallMetrics.Stage.VOICE_TO_VOICE, Duration.ofMillis(voiceToVoice));
        }
        log.info("turn",
                 "turn", turnCount,
                 "reply", reply.number(),
                 "eosMs", TurnTimings.millis(t.lastCallerSpeechNanos, t.turnEndNanos),
                 "sttMs", TurnTimings.millis(t.sttStartNanos, t.sttDoneNanos),
                 "llmFirstTokenMs", TurnTimings.millis(t.llmStartNanos, t.llmFirstTokenNanos),
                 "llmFirstSentenceMs", TurnTimings.millis(t.llmStartNanos, t.llmFirstPieceNanos),
                 "ttsFirstByteMs", TurnTimings.millis(t.ttsStartNanos, t.ttsFirstByteNanos),
                 "firstFrameMs", TurnTimings.millis(t.turnEndNanos, firstFrame),
                 "voiceToVoiceMs", voiceToVoice,
                 "serverMs", t.serverMillis(firstFrame),
                 "interrupted", interrupted,
                 "endsCall", reply.endsCall(),
                 "speculation", reply.speculation(),
                 "discardedSpeculations", reply.discardedSpeculations(),
                 "sttRequests", reply.sttRequests(),
                 "llmRequests", reply.llmRequests());
        if (!reply.speculation().equals("none")) {
            services.metrics().speculation(reply.speculation());
        }
        services.metrics().turnRequests(reply.sttRequests(), reply.llmRequests());
    }

    private boolean audible(AgentReply reply) {
        return playout.firstFrameNanos(reply.number()) > 0;
    }

    // ---- start and end ------------------------------------------------------------------------------------

    /** Waits for Twilio's {@code start}; a socket without a valid one is closed. */
    private Optional<StreamEvent.Start> awaitStart() throws InterruptedException {
        long deadline = openedNanos + services.settings().startTimeout().toNanos();
        while (true) {
            long left = deadline - now();
            CallInput input = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
            if (input == null) {
                return reject("no-start", 1008, "no start message");
            }
            if (input instanceof CallInput.SocketClosed) {
                return Optional.empty();
            }
            if (input instanceof CallInput.FromTwilio(StreamEvent.Start start)) {
                if (!services.tokens().redeem(start.parameter("token"), start.callSid())) {
                    new CallLog(start.callSid()).warn("media stream refused: missing, expired or reused stream token");
                    return reject("token", 1008, "stream not authorized");
                }
                if (!start.encoding().equalsIgnoreCase("audio/x-mulaw") || start.sampleRate() != 8000) {
                    new CallLog(start.callSid()).warn("media stream refused: unsupported audio format",
                                                      "encoding", start.encoding(), "sampleRate", start.sampleRate());
                    return reject("format", 1003, "unsupported media format");
                }
                return Optional.of(start);
            }
            // connected, or frames before start: nothing to do until we know which call this is
        }
    }

    private Optional<StreamEvent.Start> reject(String why, int code, String reason) {
        services.metrics().rejectedSocket(why);
        closeSocket(code, reason);
        return Optional.empty();
    }

    private void begin(StreamEvent.Start start) {
        callSid = start.callSid();
        log = new CallLog(callSid);
        persona = services.personas().current().byId(start.parameter("persona"))
                .orElseGet(() -> services.personas().current().forNumber(start.parameter("to")));
        turnTaking = persona.turnTaking();
        startedNanos = now();
        lastInboundNanos = startedNanos;
        lastActivityNanos = startedNanos;
        playout = new Playout(out, start.streamSid(), services.settings().playoutLead(), services.settings().frame(),
                              services.nanoTime(), () -> socketClosed("send failed"), "playout-" + callSid);
        history = services.history().recall(start.parameter("from"));
        conversation = new Conversation(SystemPrompt.of(persona, start.parameter("from"),
                                                        ZonedDateTime.now(services.clock()), history), MAX_HISTORY);
        recorder = new CallRecorder(services.journal(), services.clock(), services.nanoTime(), services.afterCallGiveUp(),
                                    start, persona.id(), startedNanos);
        hearing = new Hearing(turnTaking, (int) (8 * services.settings().maxUtterance().toMillis()), this::offer);
        services.registry().add(this);
        services.metrics().callStarted();
        log.info("call started", "persona", persona.id(), "from", start.parameter("from"), "to", start.parameter("to"),
                 "streamSid", start.streamSid());
    }

    private String hangUp() {
        log.info("hanging up");
        try {
            services.callControl().hangUp(callSid);
        } catch (VendorException e) {
            // Closing the socket ends <Connect>, and with no TwiML after it Twilio ends the call anyway.
            log.warn("Twilio hang-up failed; closing the stream instead: " + e.getMessage());
        }
        return "agent hung up";
    }

    /** Tears the call down; exactly once, on the call thread, every step bounded. */
    private void finish(String reason) {
        if (finished) {
            return;
        }
        finished = true;
        if (persona == null) {
            closeSocket(1000, reason);
            return;
        }
        long now = now();
        if (speculation != null) {
            speculation.producer().cancel();
        }
        if (current != null) {
            AgentReply last = current;
            long playStart = playout.firstFrameNanos(last.number());
            if (producer != null) {
                producer.cancel();
            }
            remember(last, last.heardText(now, playStart), true, now);
        }
        if (producer != null) {
            producer.join(TEARDOWN_STEP);
        }
        recorder.closed(reason, now);
        playout.close(TEARDOWN_STEP);
        closeSocket(1000, reason.length() > 100 ? reason.substring(0, 100) : reason);
        services.registry().remove(this);
        services.metrics().callEnded(endReasonTag(reason));
        log.info("call ended", "reason", reason, "durationMs", (now - startedNanos) / 1_000_000, "turns", turnCount);
    }

    private void closeSocket(int code, String reason) {
        // A close frame can block on a stuck TCP connection; never let that hold the call thread.
        Thread closer = Thread.ofVirtual().start(() -> out.close(code, reason));
        try {
            closer.join(TEARDOWN_STEP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String endReasonTag(String reason) {
        if (reason.startsWith("server")) {
            return "server_shutdown";
        }
        if (reason.startsWith("socket closed")) {
            return "socket_closed";
        }
        if (reason.startsWith("no media")) {
            return "media_timeout";
        }
        return reason.replace(' ', '_');
    }

    // ---- plumbing ------------------------------------------------------------------------------------------

    private void offer(CallInput input) {
        if (!inbox.offer(input) && droppedWarned.compareAndSet(false, true)) {
            log.warn("call inbox full; dropping input (the call thread is stalled)");
        }
    }

    private long now() {
        return services.nanoTime().getAsLong();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
