package dev.voiceagent.call;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.voiceagent.llm.ChatMessage;
import dev.voiceagent.llm.ChatRequest;
import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.CallerMemory;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.SystemPrompt;
import dev.voiceagent.persona.TurnTaking;
import dev.voiceagent.store.CallerHistory;
import dev.voiceagent.store.Channel;
import dev.voiceagent.store.PastCall;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.twilio.MalformedFrameException;
import dev.voiceagent.twilio.MediaStreamCodec;
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
 *       turn timing, the turn's audio, and forwarding to the live recogniser's socket) and enqueues only
 *       conversation events (caller talking, paused, resumed, finished); the other two enqueue Twilio's
 *       messages. Nothing else crosses from the socket into the call.</li>
 *   <li>What the caller says reaches the call as {@link Heard} events from {@link Listening}, which merges the
 *       local detector with the persona's recogniser (live nova-3, Flux, or batch Whisper) and falls back to
 *       batch transcription when the live socket fails. The session does not know which one is behind it.</li>
 *   <li>The floor is in one of three states ({@link Floor}): open to the caller, holding a speculative answer
 *       while the caller pauses, or the agent speaking one reply.</li>
 *   <li>All conversation state (history, timers, which reply is playing, speculation) is owned by the call
 *       thread and needs no locks; it wakes for events and every 200 ms for timers. Each reply is produced
 *       on its own virtual threads ({@link ReplyProducer}), which report back through the same inbox.
 *       Audio leaves through the {@link Playout}'s single sender thread.</li>
 *   <li>Storage never waits on the database: {@code begin} asks for the caller's history (bounded, 300 ms);
 *       each caller turn is handed to the {@link CallRecorder} as soon as its final words are known, each agent
 *       turn, as heard, when it ends, and the call's end last; the recorder queues them for the journal's
 *       writer thread without blocking.</li>
 *   <li>{@link #finish} runs exactly once, on the call thread, however the call ends (Twilio {@code stop},
 *       close frame, failed send, inbound-silence watchdog, time limit, error). Every teardown step is
 *       bounded in time. After it, the socket is closed and the call is gone from the registry.</li>
 *   <li>A {@linkplain Channel#WEB web phone} call runs the same loop. It differs only at the edges: {@code start}
 *       needs no stream token (the socket was admitted by the console session) but a web call sid
 *       ({@code WC} + 32 hex digits) and a known persona, and takes its place under the call cap there; it has no
 *       numbers and no caller memory; ending it closes the socket instead of asking Twilio to hang up; and each
 *       stored turn is also sent to the page ({@link MediaStreamCodec#transcript}).</li>
 * </ul>
 */
public final class CallSession implements SocketCall {

    /**
     * Timers only (reprompts, watchdog, keypad pauses, listening deadlines): audio is heard by {@link Hearing}. The
     * call thread wakes this often while a timer may fall due soon, and at most every {@link #IDLE_TICK_MILLIS}
     * otherwise ({@link #tickMillis}).
     */
    private static final long TICK_MILLIS = 100;
    private static final long IDLE_TICK_MILLIS = 1_000;
    private static final int INBOX_CAPACITY = 1_000;
    private static final int MAX_HISTORY = 40;
    private static final Duration MARK_GRACE = Duration.ofSeconds(2);
    private static final Duration TEARDOWN_STEP = Duration.ofSeconds(1);
    /** The call sid a web phone makes up: never a Twilio one (CA...), so it cannot touch a phone call's record. */
    private static final Pattern WEB_CALL_SID = Pattern.compile("WC[0-9a-f]{32}");
    /** Longest wait for a transfer's handoff (its own bound, plus the summary) before it counts as failed. */
    private static final Duration TRANSFER_LIMIT = Duration.ofSeconds(20);
    private static final Duration TRANSFER_SUMMARY_LIMIT = Duration.ofSeconds(3);

    /**
     * An answer started while the caller pauses, held until their turn is known to be over.
     * {@code speechMs} is how much the caller had said when it started.
     */
    private record Speculation(AgentReply reply, ReplyProducer producer, int speechMs) {
    }

    /** Who has the floor. */
    private sealed interface Floor {
    }

    /** The caller's: nothing is being said or held. */
    private record Open() implements Floor {
    }

    /** The caller's, with an answer to what they said so far held in case their turn is over. */
    private record Holding(Speculation speculation) implements Floor {
    }

    /** The agent's: one reply is being produced or played. */
    private record Speaking(AgentReply reply, ReplyProducer producer) implements Floor {
    }

    private final CallServices services;
    private final MediaStreamSender out;
    private final Channel channel;
    private final CallInbox<CallInput> inbox;
    private final long openedNanos;

    // Set once by begin(); owned by the call thread afterwards.
    private volatile String callSid = "";
    private CallLog log = new CallLog("-");
    private Persona persona;
    private TurnTaking turnTaking;
    private Playout playout;
    private Conversation conversation;
    private volatile Hearing hearing;
    private Listening listening;
    private ReplyContext replies;
    private CallRecorder recorder;
    private List<PastCall> history = List.of();
    private CallerMemory memory = CallerMemory.OFF;
    private long startedNanos;
    private int maxUtteranceBytes;

    // Conversation state, call thread only.
    private Floor floor = new Open();
    private int speculationsThisTurn;
    private final List<AgentReply> discardedThisTurn = new ArrayList<>();
    private long replyCount;
    private volatile long lastInboundNanos;
    /** {@link #lastFrameStampMillis()}; reader thread only. */
    private long lastFrameStampMillis = -1;
    private long lastActivityNanos;
    private int silencePrompts;
    /** What the caller said before they went on talking, to be answered with what they say next. */
    private Utterance carried;
    /** The words of {@link #carried} already stored as a caller turn. */
    private String carriedStored = "";
    private final Keypad keypad = new Keypad();
    /** Set once the agent says goodbye: the reason the call will end with once it has played. */
    private EndReason leaving;
    /** Set when the call must end at the next look at the timers. */
    private EndReason ending;
    /** Set while a tool's transfer hands the caller to a person; when it started. */
    private ToolOutcome.Transfer transferring;
    private long transferStartedNanos;
    private int toolCallCount;
    private boolean greetingMeasured;
    private int turnCount;
    private boolean finished;

    CallSession(CallServices services, MediaStreamSender out) {
        this(services, out, Channel.PHONE);
    }

    CallSession(CallServices services, MediaStreamSender out, Channel channel) {
        this.services = services;
        this.out = out;
        this.channel = channel;
        this.inbox = new CallInbox<>(INBOX_CAPACITY, services.ticker(), services.metrics());
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

    /** One Twilio message: media is heard right here, anything else goes to the call thread. Reader thread. */
    @Override
    public void receive(String json) throws MalformedFrameException {
        StreamEvent event = MediaStreamCodec.decode(json);
        if (event instanceof StreamEvent.Media media) {
            lastFrameStampMillis = media.timestampMillis();
            hear(media);
        } else {
            lastFrameStampMillis = -1;
            deliver(event);
        }
    }

    @Override
    public long lastFrameStampMillis() {
        return lastFrameStampMillis;
    }

    /**
     * As {@link Hearing#audioBeforeNextDecisionMs()} says after the last frame. Not before the call has started:
     * Twilio's {@code start} follows {@code connected} at once, and a rest between them would hold up the greeting.
     * Reader thread.
     */
    @Override
    public int readerMayRestMs() {
        Hearing listening = hearing;
        return listening == null ? 0 : listening.audioBeforeNextDecisionMs();
    }

    /** Tells the call thread the socket is gone. Reader thread only; never blocks. */
    @Override
    public void socketClosed(EndReason reason, String why) {
        offer(new CallInput.SocketClosed(reason, why));
    }

    /** Ends the call (server shutdown). Any thread; never blocks. */
    void terminate() {
        offer(new CallInput.SocketClosed(EndReason.SERVER_SHUTDOWN, "server shutting down"));
    }

    /** The call's Twilio CallSid, or empty before {@code start}. */
    @Override
    public String callSid() {
        return callSid;
    }

    @Override
    public void run() {
        EndReason endReason = EndReason.ERROR;
        try {
            Optional<StreamEvent.Start> start = awaitStart();
            if (start.isEmpty()) {
                endReason = EndReason.REJECTED;
                return;
            }
            begin(start.get());
            greet();
            endReason = converse();
        } catch (InterruptedException e) {
            endReason = EndReason.INTERRUPTED;
        } catch (RuntimeException e) {
            log.warn("call failed", e);
        } finally {
            finish(endReason);
        }
    }

    // ---- the conversation -------------------------------------------------------------------------------

    private EndReason converse() throws InterruptedException {
        while (true) {
            long at = now();
            CallInput input = inbox.poll(at + TimeUnit.MILLISECONDS.toNanos(tickMillis(at)));
            long now = now();
            switch (input) {
                case null -> { }
                case CallInput.FromTwilio(StreamEvent event) -> {
                    switch (event) {
                        case StreamEvent.Media media -> { }   // heard on the reader thread (see hear)
                        case StreamEvent.Mark mark -> markPlayed(mark.name(), now);
                        case StreamEvent.Dtmf dtmf -> keyPressed(dtmf.digit(), now);
                        case StreamEvent.Stop stop -> {
                            // A transfer redirects the call, which stops this stream: that is the transfer working.
                            return transferring != null ? EndReason.TRANSFERRED : EndReason.CALLER_HUNG_UP;
                        }
                        case StreamEvent.Start again -> log.warn("ignoring a second start message");
                        case StreamEvent.Connected connected -> { }
                        case StreamEvent.Unknown unknown -> log.debug("ignoring unknown event", "event", unknown.event());
                    }
                }
                case CallInput.SocketClosed closed -> {
                    log.info("media socket closed", "detail", closed.detail());
                    return closed.reason();
                }
                case CallInput.ReplyProduced produced -> replyProduced(produced.reply(), now);
                case CallInput.Transcribed transcribed -> callerWordsKnown(transcribed.reply(), transcribed.words());
                case CallInput.ToolsDone tools -> toolsDone(tools);
                case CallInput.TransferDone transfer -> transferDone(transfer, now);
                case CallInput.ForListening news -> listening.accept(news, now).forEach(heard -> heard(heard, now));
            }
            listening.tick(now).forEach(heard -> heard(heard, now));
            Optional<EndReason> end = checkTimers(now);
            if (end.isPresent()) {
                return end.get();
            }
        }
    }

    /** What the caller is doing, whichever recogniser heard it. */
    private void heard(Heard heard, long now) {
        switch (heard) {
            case Heard.Talking talking -> callerTookTheFloor(now);
            case Heard.Paused paused -> maybeSpeculate(paused);
            case Heard.Resumed resumed -> discardSpeculation("the caller went on talking");
            case Heard.Finished turn -> callerFinishedTurn(turn, now);
            case Heard.Nothing nothing -> {
                log.info("nothing to answer in the caller's turn: " + nothing.why());
                discardSpeculation(nothing.why());
                endTurnBookkeeping(null);
            }
        }
    }

    /** The caller paused mid-turn: answer what they said so far, held until the turn is known to be over. */
    private void maybeSpeculate(Heard.Paused paused) {
        TurnTaking.Speculation s = turnTaking.speculation();
        if (!s.enabled() || !(floor instanceof Open) || leaving != null || transferring != null || keypad.pressing()
                || speculationsThisTurn >= s.maxPerTurn()) {
            return;
        }
        speculationsThisTurn++;
        Utterance soFar = Utterance.merge(carried, paused.soFar(), maxUtteranceBytes);
        AgentReply reply = new AgentReply(++replyCount, AgentReply.Kind.ANSWER, true, false, new TurnTimings(),
                                          soFar, false);
        ReplyProducer producer = ReplyProducer.speculate(replies, reply, conversation.messages());
        floor = new Holding(new Speculation(reply, producer, paused.speechMs()));
        hearing.speculating(reply);
        log.debug("speculating on a pause", "reply", reply.number());
    }

    /** Gives up a speculation: none of it is played, heard or stored; its cost is counted with the turn. */
    private void discardSpeculation(String why) {
        if (!(floor instanceof Holding(Speculation dropped))) {
            return;
        }
        floor = new Open();
        hearing.speculating(null);
        dropped.producer().cancel();
        playout.silence(dropped.reply().number());
        discardedThisTurn.add(dropped.reply());
        services.metrics().speculation(SpeculationOutcome.DISCARDED.tag());
        log.info("speculation discarded: " + why, "reply", dropped.reply().number());
    }

    private void callerTookTheFloor(long now) {
        silencePrompts = 0;
        lastActivityNanos = now;
        if (!(floor instanceof Speaking(AgentReply current, ReplyProducer producer))) {
            return;
        }
        if (current.kind() == AgentReply.Kind.ANSWER && !audible(current)) {
            // The caller went on talking before we said anything: drop the answer in progress and treat what
            // they said before and after the pause as one turn.
            log.info("caller continued before the answer started; merging turns", "reply", current.number());
            carried = Utterance.merge(carried, current.callerWords().orElse(null), maxUtteranceBytes);
            carriedStored = current.storedAs().isEmpty() ? carriedStored : current.storedAs();
            abandon(current, producer);
            conversation.tools(current.takeToolExchange());   // a tool it already used stays done
            current.markRemembered();
        } else if (current.interruptible() && turnTaking.interruptible() && audible(current)) {
            bargeIn(now);
        }
    }

    private void callerFinishedTurn(Heard.Finished turn, long now) {
        Utterance words = Utterance.merge(carried, turn.words(), maxUtteranceBytes);
        String storedBefore = carriedStored;
        carried = null;
        carriedStored = "";
        lastActivityNanos = now;
        if (transferring != null) {
            log.info("caller spoke while being transferred; not answering");
            endTurnBookkeeping(null);
            return;
        }
        if (floor instanceof Speaking(AgentReply current, ReplyProducer producer) && !current.interruptible()) {
            log.info("caller spoke during the goodbye; not answering");
            discardSpeculation("goodbye in progress");
            endTurnBookkeeping(null);
            return;
        }
        if (floor instanceof Speaking) {
            // A short answer ("yes") spoken over the agent, too brief to count as an interruption while it
            // was being said, still ends the agent's turn.
            bargeIn(now);
        }
        services.metrics().stage(CallMetrics.Stage.END_OF_SPEECH, Duration.ofNanos(Math.max(0, now - turn.lastSpeechNanos())));
        turnCount++;
        services.metrics().turn();
        AgentReply answer;
        if (floor instanceof Holding(Speculation held)) {
            answer = held.reply();
            hearing.speculating(null);
            floor = new Speaking(answer, held.producer());
            timings(answer.timings(), turn, now);
            Utterance started = answer.callerWords().orElseThrow();
            boolean sameWords = words instanceof Utterance.Text(String text)
                    ? started instanceof Utterance.Text(String before) && ReplyProducer.sameWords(before, text)
                    : started instanceof Utterance.Audio && turn.speechMs() <= held.speechMs();
            if (sameWords) {
                answer.speculation(SpeculationOutcome.USED);
                held.producer().release();
            } else {
                held.producer().verify(words);
            }
        } else {
            answer = answer(words, false, timings(new TurnTimings(), turn, now));
        }
        answer.listening(turn.cost());
        answer.storedBefore(storedBefore);
        if (words instanceof Utterance.Text(String text)) {
            callerWordsKnown(answer, text);
        }
        endTurnBookkeeping(answer);
    }

    private static TurnTimings timings(TurnTimings t, Heard.Finished turn, long now) {
        t.turnEndNanos = now;
        t.callerStartNanos = turn.callerStartNanos();
        t.lastCallerSpeechNanos = turn.lastSpeechNanos();
        if (turn.wordsNanos() > 0) {
            // The live recogniser's final words: asked for with Finalize, known when they came back.
            t.sttStartNanos = turn.wordsAskedNanos();
            t.sttDoneNanos = turn.wordsNanos();
        }
        return t;
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
        log.info("caller pressed a key");
        discardSpeculation("keys pressed");
        lastActivityNanos = now;
        silencePrompts = 0;
        if (floor instanceof Speaking(AgentReply current, ReplyProducer producer)
                && current.interruptible() && audible(current)) {
            bargeIn(now);
        }
        keypad.press(digit, now).ifPresent(keys -> answerKeys(keys, now));
    }

    private void answerKeys(Keypad.Keys keys, long now) {
        TurnTimings timings = new TurnTimings();
        timings.turnEndNanos = now;
        timings.lastCallerSpeechNanos = keys.lastNanos();
        timings.callerStartNanos = keys.firstNanos();
        turnCount++;
        services.metrics().turn();
        String words = "(The caller pressed: " + keys.keys() + ")";
        AgentReply reply = answer(new Utterance.Text(words), true, timings);
        callerWordsKnown(reply, words);
    }

    /** The caller talked over the agent: silence the line now and remember only what they heard. */
    private void bargeIn(long now) {
        if (!(floor instanceof Speaking(AgentReply interrupted, ReplyProducer producer))) {
            return;
        }
        services.metrics().bargeIn();
        log.info("caller interrupted the agent", "reply", interrupted.number());
        stopSpeaking(now, true);
    }

    private void markPlayed(String name, long now) {
        Optional<AgentReply.MarkName> mark = AgentReply.parseMark(name);
        if (mark.isEmpty() || !(floor instanceof Speaking(AgentReply current, ReplyProducer producer))
                || mark.get().reply() != current.number()) {
            return; // a mark of a cleared or finished reply, echoed late: not evidence of anything heard
        }
        if (!mark.get().isEnd()) {
            current.piecePlayed(mark.get().piece(), now);
            return;
        }
        floor = new Open();
        remember(current, current.fullText(), false, now);
        afterReply(current, now);
    }

    /** A reply is over: it may end the call, or hand the caller to a person now that its words have played. */
    private void afterReply(AgentReply reply, long now) {
        if (reply.transfer().isPresent()) {
            startTransfer(reply.transfer().get(), now);
        } else if (reply.endsCall()) {
            ending = leaving != null ? leaving : EndReason.AGENT_HUNG_UP;
        }
    }

    private void replyProduced(AgentReply reply, long now) {
        if (!(floor instanceof Speaking(AgentReply current, ReplyProducer producer)) || reply != current) {
            return;
        }
        if (!reply.hasAudio()) {
            // Nothing to play (no words heard, or every vendor failed): the floor goes back to the caller.
            floor = new Open();
            lastActivityNanos = now;
            reply.callerText().ifPresent(text -> {
                conversation.caller(text);
                callerWordsKnown(reply, text);
            });
            conversation.tools(reply.takeToolExchange());
            reply.markRemembered();
            if (reply.kind() == AgentReply.Kind.ANSWER && !reply.toolSummaries().isEmpty()) {
                logTurn(reply, false);
            }
            afterReply(reply, now);
        }
    }

    // ---- tools --------------------------------------------------------------------------------------------

    /**
     * The tools a reply's model asked for have finished: each call is stored and logged, and the exchange goes into
     * the conversation with the reply (or at once, if the reply is over: a barge-in during the tool call).
     */
    private void toolsDone(CallInput.ToolsDone tools) {
        List<String> summaries = new ArrayList<>();
        for (ToolRunner.Done d : tools.done()) {
            long ms = d.durationNanos() / 1_000_000;
            String outcome = d.failure().orElse(d.outcomeTag());
            summaries.add(d.call().name() + ":" + outcome + ":" + ms + "ms");
            recorder.toolCall(++toolCallCount, d.call().name(), ToolRunner.argumentsText(d.call()), d.outcomeTag(),
                              d.failure(), d.resultText(), d.startedNanos(), ms);
            services.metrics().toolCall(d.call().name(), outcome);
            log.info("tool called", "tool", d.call().name(), "outcome", outcome, "durationMs", ms,
                     "reply", tools.reply().number());
        }
        boolean current = floor instanceof Speaking(AgentReply speaking, ReplyProducer producer) && speaking == tools.reply();
        if (tools.reply().remembered() || !current) {
            conversation.tools(tools.exchange());
        } else {
            tools.reply().addToolExchange(tools.exchange(), summaries);
        }
    }

    /**
     * The handoff line has played: move the caller to a person on a virtual thread (a warm transfer first asks the
     * model for a one-sentence summary, bounded), and hear back through {@link CallInput.TransferDone}. Meanwhile
     * the caller is not answered.
     */
    private void startTransfer(ToolOutcome.Transfer transfer, long now) {
        transferring = transfer;
        transferStartedNanos = now;
        List<ChatMessage> snapshot = conversation.messages();
        log.info("transferring the caller", "warm", transfer.wantsSummary());
        Thread.ofVirtual().name("transfer-" + callSid).start(() -> {
            try {
                transfer.handoff().complete(transfer.wantsSummary() ? summary(snapshot) : "");
                offer(new CallInput.TransferDone(true, ""));
            } catch (InterruptedException e) {
                offer(new CallInput.TransferDone(false, "interrupted"));
            } catch (RuntimeException e) {
                offer(new CallInput.TransferDone(false, String.valueOf(e.getMessage())));
            }
        });
    }

    /** One sentence about the call for the person taking it over, or "" if the model cannot say it in time. */
    private String summary(List<ChatMessage> snapshot) throws InterruptedException {
        List<ChatMessage> ask = new ArrayList<>(snapshot);
        ask.add(ChatMessage.user("(Not the caller: the person taking this call over needs one short sentence saying "
                                 + "who is calling and what they want. Reply with that sentence only.)"));
        StringBuilder text = new StringBuilder();
        Thread asking = Thread.ofVirtual().name("transfer-summary-" + callSid).start(() -> {
            try {
                services.llm().stream(new ChatRequest(persona.llmModel(), Conversation.withoutTools(ask), 60, 0.2),
                                      delta -> {
                                          synchronized (text) {
                                              text.append(delta);
                                              return text.length() < 300;
                                          }
                                      });
            } catch (RuntimeException e) {
                log.warn("could not summarise the call for the transfer: " + e.getMessage());
            }
        });
        if (!asking.join(TRANSFER_SUMMARY_LIMIT)) {
            asking.interrupt();
            return "";
        }
        synchronized (text) {
            return text.toString().replace(dev.voiceagent.llm.SentenceSplitter.END_CALL, "").strip();
        }
    }

    private void transferDone(CallInput.TransferDone done, long now) {
        if (transferring == null) {
            return;
        }
        if (done.moved()) {
            log.info("caller transferred");
            ending = EndReason.TRANSFERRED;
            return;
        }
        log.warn("transfer failed: " + done.why());
        transferring = null;
        lastActivityNanos = now;
        say(persona.tools().transferFailedLine(), AgentReply.Kind.APOLOGY, false);
    }

    /**
     * How long the call thread may wait for input before it checks its timers: {@link #TICK_MILLIS} while one may
     * fall due soon (the caller in a turn, words awaited, keys being pressed, a speculation held, a reply played
     * out and its end mark awaited, a goodbye or a transfer under way), otherwise until the reprompt is due, at
     * most {@link #IDLE_TICK_MILLIS}. The watchdog and the time limit are seconds and minutes: a second late is
     * nothing to them. Every input wakes the thread anyway.
     */
    private long tickMillis(long now) {
        boolean timerSoon = ending != null || leaving != null || transferring != null
                || hearing.callerInTurn() || listening.awaitingWords() || keypad.pressing()
                || floor instanceof Holding
                || floor instanceof Speaking(AgentReply current, ReplyProducer producer) && current.produced()
                   && playout.idle();
        if (timerSoon) {
            return TICK_MILLIS;
        }
        if (!(floor instanceof Open)) {
            return IDLE_TICK_MILLIS;
        }
        long untilReprompt = (lastActivityNanos + turnTaking.repromptAfter().toNanos() - now) / 1_000_000;
        return Math.clamp(untilReprompt, TICK_MILLIS, IDLE_TICK_MILLIS);
    }

    private Optional<EndReason> checkTimers(long now) {
        if (ending != null) {
            if (ending != EndReason.TRANSFERRED) {
                hangUp();            // a transferred call is Twilio's now: only our stream ends
            }
            return Optional.of(ending);
        }
        if (transferring != null && now - transferStartedNanos > TRANSFER_LIMIT.toNanos()) {
            offer(new CallInput.TransferDone(false, "no answer from the handoff within " + TRANSFER_LIMIT.toSeconds() + " s"));
            transferStartedNanos = now;
        }
        if (now - lastInboundNanos > services.settings().inboundSilenceLimit().toNanos()) {
            log.warn("no media from Twilio", "limitSeconds", services.settings().inboundSilenceLimit().toSeconds());
            return Optional.of(EndReason.MEDIA_TIMEOUT);
        }
        if (!greetingMeasured && playout.firstFrameNanos(1) > 0) {
            greetingMeasured = true;
            services.metrics().stage(CallMetrics.Stage.GREETING, Duration.ofNanos(playout.firstFrameNanos(1) - startedNanos));
        }
        Duration elapsed = Duration.ofNanos(now - startedNanos);
        if (elapsed.compareTo(turnTaking.maxCallLength()) >= 0 && leaving == null) {
            log.info("call reached its time limit", "limitSeconds", turnTaking.maxCallLength().toSeconds());
            stopSpeaking(now, true);
            sayGoodbye(EndReason.TIME_LIMIT);
        }
        if (elapsed.compareTo(turnTaking.maxCallLength().plus(Duration.ofSeconds(30))) >= 0) {
            return Optional.of(EndReason.TIME_LIMIT);
        }
        if (floor instanceof Speaking(AgentReply current, ReplyProducer producer) && current.produced() && playout.idle()
                && now - playout.lastFrameNanos() > services.settings().playoutLead().plus(MARK_GRACE).toNanos()) {
            // Twilio did not echo the end mark in time; trust our own clock so the call cannot stall.
            markPlayed(current.endMarkName(), now);
        }
        keypad.due(now).ifPresent(keys -> answerKeys(keys, now));
        if (floor instanceof Open && !hearing.callerInTurn() && leaving == null && transferring == null
                && now - lastActivityNanos >= turnTaking.repromptAfter().toNanos()) {
            if (silencePrompts++ == 0) {
                log.info("caller silent; prompting again");
                say(persona.reprompt(), AgentReply.Kind.REPROMPT, false);
            } else {
                log.info("caller still silent; saying goodbye");
                sayGoodbye(EndReason.AGENT_HUNG_UP);
            }
        }
        return Optional.empty();
    }

    // ---- speaking -----------------------------------------------------------------------------------------

    private AgentReply answer(Utterance words, boolean typed, TurnTimings timings) {
        AgentReply reply = new AgentReply(++replyCount, AgentReply.Kind.ANSWER, true, false, timings, words, typed);
        floor = new Speaking(reply, ReplyProducer.answer(replies, reply, conversation.messages()));
        return reply;
    }

    /** The persona's greeting; a returning caller whose name is known is greeted by name. */
    private void greet() {
        Optional<String> name = memory.greetingName(CallerHistory.name(history));
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
        AgentReply reply = AgentReply.phrase(++replyCount, kind, endsCall);
        floor = new Speaking(reply, ReplyProducer.phrase(replies, reply, text, cacheable));
    }

    private void sayGoodbye(EndReason why) {
        discardSpeculation("saying goodbye");
        leaving = why;
        say(persona.goodbye(), AgentReply.Kind.GOODBYE, true);
    }

    /** Stops the reply being spoken, clearing Twilio's buffer, and keeps what was heard in the history. */
    private void stopSpeaking(long now, boolean interrupted) {
        if (!(floor instanceof Speaking(AgentReply stopped, ReplyProducer producer))) {
            return;
        }
        long playStart = playout.firstFrameNanos(stopped.number());
        abandon(stopped, producer);
        remember(stopped, stopped.heardText(now, playStart), interrupted, now);
    }

    /** Cancels a reply's production and playback without recording anything; the floor opens. */
    private void abandon(AgentReply reply, ReplyProducer producer) {
        producer.cancel();
        if (audible(reply) || !playout.idle()) {
            playout.clear(reply.number());
        } else {
            playout.silence(reply.number());
        }
        floor = new Open();
    }

    /** What was said in one exchange goes into the conversation; one log line per answered turn. */
    private void remember(AgentReply reply, String heard, boolean interrupted, long now) {
        reply.callerText().ifPresent(text -> {
            conversation.caller(text);
            callerWordsKnown(reply, text);
        });
        conversation.tools(reply.takeToolExchange());
        reply.markRemembered();
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

    /**
     * Stores the caller's turn that {@code reply} answers, once, as soon as its final words are known. Words of a
     * turn the caller went on with were stored already; only what they said after is stored again.
     */
    private void callerWordsKnown(AgentReply reply, String words) {
        if (reply.kind() != AgentReply.Kind.ANSWER || !reply.markCallerStored()) {
            return;
        }
        TurnTimings t = reply.timings();
        String rest = Transcripts.after(reply.storedBefore(), words);
        if (!rest.isBlank()) {
            recorder.caller(reply.typed() ? persona.digits().forRecord(rest) : rest,
                            t.callerStartNanos, t.lastCallerSpeechNanos);
        }
        reply.storedAs(words);
    }

    private void logTurn(AgentReply reply, boolean interrupted) {
        TurnTimings t = reply.timings();
        long firstFrame = playout.firstFrameNanos(reply.number());
        long voiceToVoice = TurnTimings.millis(t.lastCallerSpeechNanos, firstFrame);
        if (voiceToVoice >= 0) {
            services.metrics().stage(CallMetrics.Stage.VOICE_TO_VOICE, Duration.ofMillis(voiceToVoice));
        }
        Stutter.Tally stutters = playout.stutters(reply.number());
        TurnListeningCost heard = reply.listening().orElse(new TurnListeningCost(reply.typed() ? "keypad" : "-", 0, 0, 0, false));
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
                 "stutters", stutters.count(),
                 "stutterWordsLateMs", stutters.wordsLateMillis(),
                 "stutterSpeechLateMs", stutters.speechLateMillis(),
                 "stutterSentLateMs", stutters.sentLateMillis(),
                 "interrupted", interrupted,
                 "endsCall", reply.endsCall(),
                 "recognizer", heard.recognizer(),
                 "streamedAudioS", Math.round(heard.audioSeconds() * 100) / 100.0,
                 "finalizes", heard.finalizes(),
                 "sttReconnects", heard.reconnects(),
                 "sttFellBack", heard.fellBack(),
                 "speculation", reply.speculation().tag(),
                 "discardedSpeculations", reply.discardedSpeculations(),
                 "sttRequests", reply.sttRequests(),
                 "llmRequests", reply.llmRequests(),
                 "tools", String.join(",", reply.toolSummaries()));
        if (reply.speculation() != SpeculationOutcome.NONE) {
            services.metrics().speculation(reply.speculation().tag());
        }
        services.metrics().turnRequests(reply.sttRequests(), reply.llmRequests());
        services.metrics().sttTurn(heard.recognizer(), heard.audioSeconds(), heard.finalizes());
    }

    /** On the playout's sender thread: the caller heard a hole in the agent's audio. */
    private void stuttered(Stutter stutter) {
        services.metrics().stutter(stutter.cause().tag(), stutter.millis());
        log.info("playout ran dry", "ms", stutter.millis(), "cause", stutter.cause().tag());
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
            CallInput input = left <= 0 ? null : inbox.poll(deadline);
            if (input == null) {
                return reject("no-start", 1008, "no start message");
            }
            if (input instanceof CallInput.SocketClosed) {
                return Optional.empty();
            }
            if (input instanceof CallInput.FromTwilio(StreamEvent.Start start)) {
                if (channel == Channel.WEB) {
                    return admitWebCall(start);
                }
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

    /**
     * A web phone's {@code start}: the socket was admitted by the console session, so no token; the call takes its
     * place under the cap here (there is no webhook to reserve one), or is refused with 1013 (try again later).
     */
    private Optional<StreamEvent.Start> admitWebCall(StreamEvent.Start start) {
        CallLog refusal = new CallLog(start.callSid());
        if (!WEB_CALL_SID.matcher(start.callSid()).matches()) {
            refusal.warn("web call refused: the call sid must be WC and 32 lower-case hex digits");
            return reject("web-call-sid", 1008, "bad web call sid");
        }
        if (!start.encoding().equalsIgnoreCase("audio/x-mulaw") || start.sampleRate() != 8000) {
            refusal.warn("web call refused: unsupported audio format", "encoding", start.encoding(),
                         "sampleRate", start.sampleRate());
            return reject("format", 1003, "unsupported media format");
        }
        if (services.personas().current().byId(start.parameter("persona")).isEmpty()) {
            refusal.warn("web call refused: unknown persona", "persona", start.parameter("persona"));
            return reject("persona", 1008, "unknown persona");
        }
        if (services.registry().draining() || !services.registry().admit(start.callSid())) {
            refusal.warn("web call refused: " + (services.registry().draining() ? "server draining" : "at the call cap"));
            return reject("capacity", 1013, "lines busy, try again later");
        }
        return Optional.of(start);
    }

    private Optional<StreamEvent.Start> reject(String why, int code, String reason) {
        services.metrics().rejectedSocket(why);
        closeSocket(code, reason);
        return Optional.empty();
    }

    private void begin(StreamEvent.Start start) {
        callSid = start.callSid();
        log = new CallLog(callSid);
        inbox.log(log);
        persona = services.personas().current().byId(start.parameter("persona"))
                .orElseGet(() -> services.personas().current().forNumber(start.parameter("to")));
        // A web call has no numbers, whatever its parameters say: the channel is the socket's path, never a parameter.
        String from = channel == Channel.WEB ? "" : start.parameter("from");
        String to = channel == Channel.WEB ? "" : start.parameter("to");
        turnTaking = persona.turnTaking();
        startedNanos = now();
        lastInboundNanos = startedNanos;
        lastActivityNanos = startedNanos;
        maxUtteranceBytes = (int) (8 * services.settings().maxUtterance().toMillis());
        playout = new Playout(out, start.streamSid(), services.settings().playoutLead(), services.settings().frame(),
                              services.nanoTime(), services.ticker(), () -> socketClosed(EndReason.SOCKET_CLOSED, "send failed"),
                              this::stuttered, "playout-" + callSid);
        replies = new ReplyContext(services, persona, services.voices().forCall(), playout, log, this::offer,
                                   new ToolContext(callSid, present(from), present(to),
                                                   persona.id(), persona.timeZone()));
        // Caller ID is not identity: what is remembered of a caller depends on Twilio's attestation of the number.
        memory = channel == Channel.WEB ? CallerMemory.OFF
                : CallerMemory.granted(persona.memory(), Optional.of(start.parameter("verstat")).filter(v -> !v.isBlank()));
        history = memory == CallerMemory.OFF ? List.of() : services.history().recall(from);
        conversation = new Conversation(SystemPrompt.of(persona, from,
                                                        ZonedDateTime.now(services.clock().withZone(persona.timeZone())),
                                                        memory.remembersCalls() ? history : List.of()), MAX_HISTORY);
        recorder = new CallRecorder(services.journal(), services.clock(), services.nanoTime(), services.afterCallGiveUp(),
                                    callSid, start.streamSid(), from, to, persona.id(), startedNanos, channel,
                                    channel == Channel.WEB ? turn -> showTurn(start.streamSid(), turn) : turn -> { });
        Hearing ears = new Hearing(turnTaking, maxUtteranceBytes, this::offer);
        Listening.Recognizer wanted = Listening.Recognizer.of(persona.stt().model());
        listening = new Listening(wanted, services.recognizers().forModel(persona.stt().model()), ears, this::offer, log,
                                  services.metrics());
        hearing = ears;
        listening.start();
        services.registry().add(this);
        services.metrics().callStarted();
        log.info("call started", "channel", channel.sql(), "persona", persona.id(), "from", from, "to", to,
                 "streamSid", start.streamSid(), "recognizer", listening.recognizer());
    }

    /** The web phone's live transcript: best effort, a socket that is gone is noticed by the sender anyway. */
    private void showTurn(String streamSid, dev.voiceagent.store.TurnRecord turn) {
        try {
            out.send(MediaStreamCodec.transcript(streamSid, turn.role().sql(), turn.text(), turn.interrupted()));
        } catch (RuntimeException e) {
            log.debug("transcript not sent: socket gone");
        }
    }

    private static Optional<String> present(String value) {
        return Optional.ofNullable(value).map(String::strip).filter(v -> !v.isEmpty());
    }

    private void hangUp() {
        if (channel == Channel.WEB) {
            log.info("hanging up the web call");   // closing the socket (finish) ends it: there is no phone line
            return;
        }
        log.info("hanging up");
        try {
            services.callControl().hangUp(callSid);
        } catch (VendorException e) {
            // Closing the socket ends <Connect>, and with no TwiML after it Twilio ends the call anyway.
            log.warn("Twilio hang-up failed; closing the stream instead: " + e.getMessage());
        }
    }

    /** Tears the call down; exactly once, on the call thread, every step bounded. */
    private void finish(EndReason reason) {
        if (finished) {
            return;
        }
        finished = true;
        if (persona == null) {
            closeSocket(1000, reason.text());
            return;
        }
        long now = now();
        ReplyProducer last = null;
        switch (floor) {
            case Open open -> { }
            case Holding(Speculation held) -> held.producer().cancel();
            case Speaking(AgentReply current, ReplyProducer producer) -> {
                long playStart = playout.firstFrameNanos(current.number());
                producer.cancel();
                remember(current, current.heardText(now, playStart), true, now);
                last = producer;
            }
        }
        if (last != null) {
            last.join(TEARDOWN_STEP);
        }
        listening.close();
        recorder.closed(reason.text(), now);
        playout.close(TEARDOWN_STEP);
        closeSocket(1000, reason.text());
        services.registry().remove(this);
        services.metrics().callEnded(reason.tag());
        log.info("call ended", "reason", reason.text(), "durationMs", (now - startedNanos) / 1_000_000,
                 "turns", turnCount, "droppedInputs", inbox.dropped());
    }

    private void closeSocket(int code, String reason) {
        CallInbox.closeSocket(out, code, reason, TEARDOWN_STEP);
    }

    // ---- plumbing ------------------------------------------------------------------------------------------

    /** Queues input for the call thread; never blocks (see {@link CallInbox}). */
    private void offer(CallInput input) {
        inbox.offer(input);
    }

    private long now() {
        return services.nanoTime().getAsLong();
    }
}
