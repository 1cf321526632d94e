package dev.voiceagent.call;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.CallerMemory;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.SystemPrompt;
import dev.voiceagent.store.PastCall;
import dev.voiceagent.twilio.MalformedFrameException;
import dev.voiceagent.twilio.MediaStreamSender;
import dev.voiceagent.twilio.RelayCodec;
import dev.voiceagent.twilio.RelayMessage;

/**
 * One phone call over Twilio ConversationRelay, from {@code setup} to hang-up. Twilio listens, detects turns and
 * speaks; this session answers each caller turn ({@code prompt} with {@code last: true}) by streaming the model's
 * tokens back as {@code text} messages.
 *
 * <h2>Lifecycle contract</h2>
 * <ul>
 *   <li>Created on the socket's reader thread when the socket opens. {@link #run()} is called exactly once, on
 *       the call's own virtual thread (the <em>call thread</em>).</li>
 *   <li>{@link #deliver} and {@link #socketClosed} are called by the reader thread only and never block: they
 *       enqueue into a bounded inbox ({@value #INBOX_CAPACITY}; a full inbox drops input, counted).</li>
 *   <li>All conversation state (history, the reply being spoken, keypad, timers) is owned by the call thread and
 *       needs no locks; it wakes for input and every {@value #TICK_MILLIS} ms for timers. Each answer is streamed
 *       on its own virtual thread ({@link RelayReply}), which reports back through the same inbox.</li>
 *   <li>A reply stays "being spoken" until the caller's next turn, an {@code interrupt} or the end of the call,
 *       because only then is it known what the caller heard: all of it, or {@code utteranceUntilInterrupt}. It is
 *       stored and added to the history then. Each caller turn is stored as soon as it arrives.</li>
 *   <li>The model's {@code [END_CALL]} (or the time limit, after the goodbye) sends {@code end} with
 *       {@code handoffData} once the reply has had time to be spoken; Twilio then closes the socket and posts the
 *       outcome to the {@code <Connect action>} URL.</li>
 *   <li>{@link #finish} runs exactly once, on the call thread, however the call ends (socket closed, time limit,
 *       error). Every teardown step is bounded. After it the socket is closed and the call is gone from the
 *       registry; the call is stored and delivered after the call like a media-stream call.</li>
 * </ul>
 */
public final class RelaySession implements SocketCall {

    static final long TICK_MILLIS = 100;
    static final int INBOX_CAPACITY = 1_000;
    private static final int MAX_HISTORY = 40;
    private static final Duration TEARDOWN_STEP = Duration.ofSeconds(1);
    /** After {@code end}, how long Twilio has to close the socket before we do. */
    private static final Duration END_GRACE = Duration.ofSeconds(3);
    /**
     * How long Twilio takes to speak a text, roughly (about 15 characters a second), so {@code end} does not cut
     * the goodbye off. ConversationRelay does not say when speech ends without its debug messages.
     */
    private static final long SPEECH_NANOS_PER_CHAR = Duration.ofMillis(70).toNanos();
    private static final Duration MAX_SPEECH_WAIT = Duration.ofSeconds(20);

    /** What reaches the call thread. */
    private sealed interface Input {
    }

    private record FromTwilio(RelayMessage message) implements Input {
    }

    private record Closed(EndReason reason, String detail) implements Input {
    }

    private record ReplyDone(RelayReply reply) implements Input {
    }

    /** Why the call is ending, and when {@code end} goes to Twilio. */
    private record Leaving(EndReason reason, String handoffData, long endAtNanos) {
    }

    private final CallServices services;
    private final MediaStreamSender out;
    private final CallInbox<Input> inbox;
    private final long openedNanos;

    private volatile String callSid = "";
    // Set once by begin(); call thread only afterwards.
    private CallLog log = new CallLog("-");
    private Persona persona;
    private Conversation conversation;
    private CallRecorder recorder;
    private long startedNanos;

    // Conversation state, call thread only.
    private RelayReply speaking;
    private final Keypad keypad = new Keypad();
    private long replyCount;
    private int turnCount;
    private Leaving leaving;
    private long endSentNanos;
    private boolean finished;

    RelaySession(CallServices services, MediaStreamSender out) {
        this.services = services;
        this.out = out;
        this.inbox = new CallInbox<>(INBOX_CAPACITY, services.ticker(), services.metrics());
        this.openedNanos = services.nanoTime().getAsLong();
    }

    /** One Twilio message, decoded and handed to the call thread. Reader thread only; never blocks. */
    @Override
    public void receive(String json) throws MalformedFrameException {
        deliver(RelayCodec.decode(json));
    }

    /** Hands a decoded Twilio message to the call thread. Reader thread only; never blocks. */
    void deliver(RelayMessage message) {
        offer(new FromTwilio(message));
    }

    /** Tells the call thread the socket is gone. Reader thread only; never blocks. */
    @Override
    public void socketClosed(EndReason reason, String why) {
        offer(new Closed(reason, why));
    }

    /** Ends the call (server shutdown). Any thread; never blocks. */
    void terminate() {
        offer(new Closed(EndReason.SERVER_SHUTDOWN, "server shutting down"));
    }

    /** The call's Twilio CallSid, or empty before {@code setup}. */
    @Override
    public String callSid() {
        return callSid;
    }

    @Override
    public void run() {
        EndReason endReason = EndReason.ERROR;
        try {
            Optional<RelayMessage.Setup> setup = awaitSetup();
            if (setup.isEmpty()) {
                endReason = EndReason.REJECTED;
                return;
            }
            begin(setup.get());
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
            Input input = inbox.poll(now() + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            long now = now();
            switch (input) {
                case null -> { }
                case FromTwilio(RelayMessage message) -> {
                    switch (message) {
                        case RelayMessage.Prompt prompt -> prompt(prompt, now);
                        case RelayMessage.Interrupt interrupt -> interrupted(interrupt, now);
                        case RelayMessage.Dtmf dtmf -> keypad.press(dtmf.digit(), now).ifPresent(keys -> answerKeys(keys, now));
                        case RelayMessage.Error error -> {
                            services.metrics().relayError();
                            log.warn("ConversationRelay reported an error", "description", error.description());
                        }
                        case RelayMessage.Setup again -> log.warn("ignoring a second setup message");
                        case RelayMessage.Info info -> log.debug("ConversationRelay info", "name", info.name(),
                                                                 "value", info.value());
                        case RelayMessage.Unknown unknown -> log.debug("ignoring unknown message", "type", unknown.type());
                    }
                }
                case Closed closed -> {
                    log.info("relay socket closed", "detail", closed.detail());
                    return leaving != null && endSentNanos != 0 ? leaving.reason() : closed.reason();
                }
                case ReplyDone done -> replyDone(done.reply(), now);
            }
            Optional<EndReason> end = checkTimers(now);
            if (end.isPresent()) {
                return end.get();
            }
        }
    }

    /** A caller turn: stored at once, then answered. Partial prompts are not turns. */
    private void prompt(RelayMessage.Prompt prompt, long now) {
        if (!prompt.last()) {
            return;
        }
        String words = prompt.voicePrompt().strip();
        if (words.isEmpty()) {
            log.info("empty prompt; nothing to answer");
            return;
        }
        callerTurn(words, words, now, now);
    }

    private void answerKeys(Keypad.Keys keys, long now) {
        String words = "(The caller pressed: " + keys.keys() + ")";
        callerTurn(words, persona.digits().forRecord(words), keys.firstNanos(), now);
    }

    /** The caller spoke (or pressed keys): what the agent was saying is settled, the turn stored and answered. */
    private void callerTurn(String words, String stored, long startNanos, long now) {
        if (leaving != null) {
            log.info("caller spoke during the goodbye; not answering");
            recorder.caller(stored, startNanos, now);
            return;
        }
        settle(now, speaking != null && !speaking.produced());
        turnCount++;
        services.metrics().turn();
        recorder.caller(stored, startNanos, now);
        conversation.caller(words);
        TurnTimings timings = new TurnTimings();
        timings.callerStartNanos = startNanos;
        timings.turnEndNanos = now;
        speaking = RelayReply.answer(++replyCount, timings, conversation.messages(), persona, services, out, log,
                                     reply -> offer(new ReplyDone(reply)));
    }

    /** Twilio stopped speaking because the caller interrupted: only what was spoken is kept. */
    private void interrupted(RelayMessage.Interrupt interrupt, long now) {
        RelayReply stopped = speaking;
        if (stopped == null) {
            return;
        }
        speaking = null;
        stopped.cancel();
        services.metrics().bargeIn();
        String heard = interrupt.utteranceUntilInterrupt().strip();
        String sent = stopped.sent();
        if (heard.length() > sent.length()) {
            heard = sent.strip();   // Twilio cannot have spoken more than it was sent
        }
        log.info("caller interrupted the agent", "reply", stopped.number(),
                 "spokenMs", interrupt.durationUntilInterruptMs());
        remember(stopped, heard, true, now);
    }

    private void replyDone(RelayReply reply, long now) {
        if (reply != speaking) {
            return;   // cancelled or already settled
        }
        TurnTimings t = reply.timings();
        long firstSent = reply.firstSentNanos();
        if (firstSent > 0 && t.turnEndNanos > 0) {
            services.metrics().stage(CallMetrics.Stage.RELAY_FIRST_TOKEN, Duration.ofNanos(firstSent - t.turnEndNanos));
        }
        if (reply.endsCall() && leaving == null) {
            log.info("the agent ended the call");
            leaving = new Leaving(EndReason.AGENT_HUNG_UP,
                                  RelayCodec.handoff("agent-ended", "The agent finished the conversation"),
                                  now + speechNanos(reply.sent()));
        }
    }

    private Optional<EndReason> checkTimers(long now) {
        keypad.due(now).ifPresent(keys -> answerKeys(keys, now));
        Duration elapsed = Duration.ofNanos(now - startedNanos);
        if (leaving == null && elapsed.compareTo(persona.turnTaking().maxCallLength()) >= 0) {
            log.info("time limit reached; saying goodbye");
            settle(now, speaking != null && !speaking.produced());
            RelayReply goodbye = RelayReply.phrase(++replyCount, RelayReply.Kind.GOODBYE, persona.goodbye(), now);
            try {
                out.send(RelayCodec.text(persona.goodbye(), true));
            } catch (RuntimeException e) {
                return Optional.of(EndReason.TIME_LIMIT);
            }
            speaking = goodbye;
            leaving = new Leaving(EndReason.TIME_LIMIT, RelayCodec.handoff("time-limit", "The call reached its time limit"),
                                  now + speechNanos(persona.goodbye()));
        }
        if (leaving != null && endSentNanos == 0 && now - leaving.endAtNanos() >= 0) {
            settle(now, false);
            try {
                out.send(RelayCodec.end(Optional.of(leaving.handoffData())));
            } catch (RuntimeException e) {
                return Optional.of(leaving.reason());
            }
            endSentNanos = now;
        }
        if (endSentNanos != 0 && now - endSentNanos >= END_GRACE.toNanos()) {
            return Optional.of(leaving.reason());   // Twilio did not close the socket; we do
        }
        if (elapsed.compareTo(persona.turnTaking().maxCallLength().plus(Duration.ofSeconds(30))) >= 0) {
            return Optional.of(EndReason.TIME_LIMIT);
        }
        return Optional.empty();
    }

    private static long speechNanos(String text) {
        return Math.min(MAX_SPEECH_WAIT.toNanos(), text.length() * SPEECH_NANOS_PER_CHAR);
    }

    /**
     * What the agent was saying is over: cancelled if still streaming, and what was sent kept in the history and
     * stored ({@code cutShort}: marked interrupted).
     */
    private void settle(long now, boolean cutShort) {
        RelayReply current = speaking;
        if (current == null) {
            return;
        }
        speaking = null;
        current.cancel();
        remember(current, current.sent().strip(), cutShort, now);
    }

    /** What the caller heard of a reply goes into the conversation and storage; one log line per answer. */
    private void remember(RelayReply reply, String heard, boolean interrupted, long now) {
        long firstSent = reply.firstSentNanos();
        if (!heard.isBlank()) {
            conversation.agent(interrupted ? heard + "—" : heard);
            recorder.agent(heard, firstSent > 0 ? firstSent : now, now, interrupted,
                           reply.kind() == RelayReply.Kind.ANSWER ? timings(reply.timings(), firstSent) : Map.of());
        }
        if (reply.kind() == RelayReply.Kind.ANSWER) {
            TurnTimings t = reply.timings();
            log.info("turn",
                     "turn", turnCount,
                     "reply", reply.number(),
                     "transport", "conversation-relay",
                     "promptToFirstTokenMs", TurnTimings.millis(t.turnEndNanos, firstSent),
                     "llmFirstTokenMs", TurnTimings.millis(t.llmStartNanos, t.llmFirstTokenNanos),
                     "serverMs", serverMillis(t, firstSent),
                     "interrupted", interrupted,
                     "endsCall", reply.endsCall(),
                     "llmRequests", reply.llmRequests());
            services.metrics().turnRequests(0, reply.llmRequests());
        }
    }

    /**
     * The stages of a relay answer, in ms, as stored with the agent's turn: {@code firstTokenSent} (prompt received
     * to first token sent), {@code llmFirstToken} (request to the model's first token) and {@code server} (the rest).
     */
    static Map<String, Long> timings(TurnTimings t, long firstSentNanos) {
        Map<String, Long> ms = new LinkedHashMap<>();
        long firstToken = TurnTimings.millis(t.turnEndNanos, firstSentNanos);
        long llm = TurnTimings.millis(t.llmStartNanos, t.llmFirstTokenNanos);
        if (firstToken >= 0) {
            ms.put("firstTokenSent", firstToken);
        }
        if (llm >= 0) {
            ms.put("llmFirstToken", llm);
        }
        long server = serverMillis(t, firstSentNanos);
        if (server >= 0) {
            ms.put("server", server);
        }
        return ms;
    }

    private static long serverMillis(TurnTimings t, long firstSentNanos) {
        long total = TurnTimings.millis(t.turnEndNanos, firstSentNanos);
        long llm = TurnTimings.millis(t.llmStartNanos, t.llmFirstTokenNanos);
        return total < 0 || llm < 0 ? -1 : Math.max(0, total - llm);
    }

    // ---- start and end ------------------------------------------------------------------------------------

    /** Waits for Twilio's {@code setup}; a socket without a valid one is closed. */
    private Optional<RelayMessage.Setup> awaitSetup() throws InterruptedException {
        long deadline = openedNanos + services.settings().startTimeout().toNanos();
        while (true) {
            long left = deadline - now();
            Input input = left <= 0 ? null : inbox.poll(deadline);
            if (input == null) {
                return reject("no-setup", 1008, "no setup message");
            }
            if (input instanceof Closed) {
                return Optional.empty();
            }
            if (input instanceof FromTwilio(RelayMessage.Setup setup)) {
                if (!services.tokens().redeem(setup.parameter("token"), setup.callSid())) {
                    new CallLog(setup.callSid()).warn("relay session refused: missing, expired or reused stream token");
                    return reject("token", 1008, "session not authorized");
                }
                return Optional.of(setup);
            }
            // anything before setup: nothing to do until we know which call this is
        }
    }

    private Optional<RelayMessage.Setup> reject(String why, int code, String reason) {
        services.metrics().rejectedSocket(why);
        closeSocket(code, reason);
        return Optional.empty();
    }

    private void begin(RelayMessage.Setup setup) {
        callSid = setup.callSid();
        log = new CallLog(callSid);
        inbox.log(log);
        String from = setup.parameter("from").isEmpty() ? setup.from() : setup.parameter("from");
        String to = setup.parameter("to").isEmpty() ? setup.to() : setup.parameter("to");
        persona = services.personas().current().byId(setup.parameter("persona"))
                .orElseGet(() -> services.personas().current().forNumber(to));
        startedNanos = now();
        // Caller ID is not identity: what is remembered of a caller depends on Twilio's attestation of the number.
        CallerMemory memory = CallerMemory.granted(persona.memory(),
                                                   Optional.of(setup.parameter("verstat")).filter(v -> !v.isBlank()));
        List<PastCall> history = memory == CallerMemory.OFF ? List.of() : services.history().recall(from);
        conversation = new Conversation(SystemPrompt.of(persona, from,
                                                        ZonedDateTime.now(services.clock().withZone(persona.timeZone())),
                                                        memory.remembersCalls() ? history : List.of()), MAX_HISTORY);
        recorder = new CallRecorder(services.journal(), services.clock(), services.nanoTime(), services.afterCallGiveUp(),
                                    callSid, setup.sessionId(), from, to, persona.id(), startedNanos);
        // Twilio speaks the welcome greeting from the TwiML as the session starts.
        speaking = RelayReply.phrase(++replyCount, RelayReply.Kind.GREETING, persona.greeting(), startedNanos);
        services.registry().add(this);
        services.metrics().callStarted();
        log.info("call started", "persona", persona.id(), "from", from, "to", to, "sessionId", setup.sessionId(),
                 "transport", "conversation-relay", "previousCalls", history.size());
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
        RelayReply last = speaking;
        settle(now, speaking != null && !speaking.produced());
        if (last != null) {
            last.join(TEARDOWN_STEP);
        }
        recorder.closed(reason.text(), now);
        closeSocket(1000, reason.text());
        services.registry().remove(this);
        services.metrics().callEnded(reason.tag());
        log.info("call ended", "reason", reason.text(), "durationMs", (now - startedNanos) / 1_000_000,
                 "turns", turnCount, "droppedInputs", inbox.dropped(), "transport", "conversation-relay");
    }

    private void closeSocket(int code, String reason) {
        CallInbox.closeSocket(out, code, reason, TEARDOWN_STEP);
    }

    // ---- plumbing ------------------------------------------------------------------------------------------

    /** Queues input for the call thread; never blocks (see {@link CallInbox}). */
    private void offer(Input input) {
        inbox.offer(input);
    }

    private long now() {
        return services.nanoTime().getAsLong();
    }
}
