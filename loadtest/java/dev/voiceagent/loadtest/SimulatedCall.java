package dev.voiceagent.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import dev.voiceagent.call.Ticker;
import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.fakes.Gap;

/**
 * One caller of a load run, scripted like a person on the phone: Twilio's signed webhook, the media socket and
 * {@code start}, wait for the greeting to finish, then {@code turns} times: pause, say a committed clip (20 ms
 * frames at real time), time the agent's answer and let it finish. Playout, marks and {@code clear} are Twilio's,
 * emulated by {@link FakeTwilioCaller} (over its lean loopback WebSocket: the JDK's client cost the generator more CPU
 * per frame than the server spent). Then it holds the line until the run has sampled the server, and hangs up.
 * Every wait is bounded; whatever goes wrong ends up in the {@link CallResult}, never as an exception.
 */
final class SimulatedCall implements Callable<CallResult> {

    /**
     * What every caller does.
     *
     * @param clips        raw mu-law utterances, said in turn (cycling)
     * @param turns        how many times the caller speaks
     * @param pause        mean pause before each utterance (each call varies it by up to ±25 %)
     * @param replyTimeout longest wait for the greeting or an answer to start
     * @param quiet        silence after which the agent counts as done talking
     * @param talkTimeout  longest wait for the agent to finish talking
     * @param deadline     System.nanoTime() by which every call must be over: no wait goes past it, and a caller
     *                     holds the line for the heap sample at most until then
     * @param hangUpAt     0: once through its turns the caller holds the line until the {@link Plateau} is sampled;
     *                     otherwise the System.nanoTime() at which it hangs up instead (a soak call's length; at
     *                     once if its turns ran past it), never past {@code deadline}
     */
    record Script(List<byte[]> clips, int turns, Duration pause, Duration replyTimeout, Duration quiet,
                  Duration talkTimeout, long deadline, String to, long hangUpAt) {

        /** A script whose callers hold the line until the plateau is sampled. */
        Script(List<byte[]> clips, int turns, Duration pause, Duration replyTimeout, Duration quiet,
               Duration talkTimeout, long deadline, String to) {
            this(clips, turns, pause, replyTimeout, quiet, talkTimeout, deadline, to, 0);
        }

        /** {@code wait}, cut short at the deadline. */
        Duration bounded(Duration wait) {
            return Duration.ofNanos(Math.max(0, Math.min(wait.toNanos(), deadline - System.nanoTime())));
        }
    }

    private static final String ACCOUNT_SID = FakeVendorsMain.TWILIO_ACCOUNT_SID;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How often waits look at the caller's state; only when the caller speaks next depends on it. They sleep on the
     * shared frame clock: a timed sleep of each caller's own would cost the generator a delay-scheduler round trip.
     */
    private static final Duration POLL = Duration.ofMillis(50);

    private final int index;
    private final String callSid;
    private final Ticker frameClock;
    private final TwilioEdge edge;
    private final Script script;
    private final Plateau plateau;
    private final Random random;
    private final List<String> gapPhases = new ArrayList<>();

    /** @param frameClock the simulator's shared 1 ms clock that paces every caller's 20 ms frames */
    SimulatedCall(int index, String callSid, Ticker frameClock, TwilioEdge edge, Script script,
                  Plateau plateau) {
        this.index = index;
        this.callSid = callSid;
        this.frameClock = frameClock;
        this.edge = edge;
        this.script = script;
        this.plateau = plateau;
        this.random = new Random(index); // reproducible pauses per call
    }

    @Override
    public CallResult call() {
        FakeTwilioCaller caller = null;
        boolean greeted = false;
        long greetingMillis = -1;
        List<Long> replies = new ArrayList<>();
        String failure = null;
        try {
            TwilioEdge.StreamTwiml twiml = edge.answer(callSid, ACCOUNT_SID, String.format("+1555%07d", index), script.to());
            caller = FakeTwilioCaller.connectOverLoopback(edge.mediaUri(twiml),
                    Map.of("X-Twilio-Signature", edge.handshakeSignature(twiml)), frameClock,
                    FakeTwilioCaller.Memory.LEAN);
            long started = System.nanoTime();
            caller.start(callSid, ACCOUNT_SID, twiml.parameters());
            long greeting = firstAudioAfter(caller, started);
            if (greeting < 0) {
                throw new Failure("no greeting within " + script.replyTimeout().toMillis() + " ms");
            }
            greetingMillis = (greeting - started) / 1_000_000;
            awaitAgentDone(caller, "greeting");
            locateGaps(caller, "greeting");
            plateau.greeted();
            greeted = true;
            for (int turn = 1; turn <= script.turns(); turn++) {
                Thread.sleep(script.bounded(jittered(script.pause())));
                if (script.bounded(Duration.ofSeconds(1)).isZero()) {
                    throw new Failure("turn " + turn + ": run deadline (MAX_SECONDS) reached");
                }
                caller.speak(script.clips().get((turn - 1) % script.clips().size()));
                long spoke = caller.lastSpeechFrameNanos();
                long answered = firstAudioAfter(caller, spoke);
                if (answered < 0) {
                    throw new Failure("turn " + turn + ": no answer within " + script.replyTimeout().toMillis() + " ms");
                }
                replies.add((answered - spoke) / 1_000_000);
                awaitAgentDone(caller, "turn " + turn + " answer");
                locateGaps(caller, "turn " + turn);
            }
        } catch (Failure e) {
            failure = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted (run deadline)";
        } catch (Exception e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            if (!greeted) {
                plateau.greeted();
            }
            plateau.turnsDone(failure == null);
        }
        if (failure == null) {
            failure = hold(caller);
        }
        return hangUp(caller, failure, greetingMillis, replies);
    }

    /**
     * Stays on the line (streaming silence) until the heap sample is taken, or until the script's hang-up time;
     * the server must not drop the call meanwhile.
     */
    private String hold(FakeTwilioCaller caller) {
        try {
            if (script.hangUpAt() != 0) {
                Thread.sleep(script.bounded(Duration.ofNanos(Math.max(0, script.hangUpAt() - System.nanoTime()))));
            } else {
                plateau.awaitSampled(script.bounded(Duration.ofNanos(Long.MAX_VALUE)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return caller.isClosed() ? "server closed the stream while the caller held (code " + caller.closeCode() + ")" : null;
    }

    private CallResult hangUp(FakeTwilioCaller caller, String failure, long greetingMillis, List<Long> replies) {
        if (caller == null) {
            return new CallResult(index, callSid, failure, greetingMillis, replies, List.of(), 0);
        }
        try {
            caller.stop();
            caller.awaitClosed(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            failure = failure != null ? failure : "hang-up failed: " + e.getMessage();
        }
        List<String> protocolErrors = caller.protocolErrors();
        if (failure == null && !protocolErrors.isEmpty()) {
            failure = protocolErrors.size() + " frames Twilio would reject, first: " + protocolErrors.getFirst();
        }
        List<Gap> gaps = caller.gaps();   // one snapshot: each gap's length and end stay paired
        locateGaps(caller, "after the last answer");
        CallResult result = new CallResult(index, callSid, failure, greetingMillis, replies,
                                           gaps.stream().map(Gap::millis).toList(), caller.clearCount(), gapPhases,
                                           gaps.stream().map(Gap::endNanos).toList());
        caller.close();
        return result;
    }

    private void awaitAgentDone(FakeTwilioCaller caller, String what) throws Failure, InterruptedException {
        long deadline = System.nanoTime() + script.bounded(script.talkTimeout()).toNanos();
        while (!caller.awaitQuiet(script.quiet(), Duration.ZERO)) {
            if (System.nanoTime() >= deadline) {
                throw new Failure(what + ": agent still talking after " + script.talkTimeout().toMillis() + " ms");
            }
            frameClock.sleepUntil(System.nanoTime() + POLL.toNanos());
        }
        if (caller.isClosed()) {
            throw new Failure(what + ": server closed the stream (code " + caller.closeCode() + ")");
        }
    }

    /**
     * When the first agent audio after {@code nanos} arrived, or -1 if none came within the reply timeout. The
     * arrival time is stamped by the socket listener, so polling here costs no precision; it replaces the caller's
     * own wait, which re-checks every 5 ms and, times a thousand callers, would eat the CPU the server is
     * measured with.
     */
    private long firstAudioAfter(FakeTwilioCaller caller, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + script.bounded(script.replyTimeout()).toNanos();
        long first;
        while ((first = caller.firstAudioNanosAfter(nanos)) < 0 && System.nanoTime() < deadline && !caller.isClosed()) {
            frameClock.sleepUntil(System.nanoTime() + POLL.toNanos());
        }
        return first;
    }

    /** Gaps heard since the last call of this belong to {@code phase}, which has just ended. */
    private void locateGaps(FakeTwilioCaller caller, String phase) {
        for (int n = caller.gapsMillis().size(); gapPhases.size() < n; ) {
            gapPhases.add(phase);
        }
    }

    private Duration jittered(Duration mean) {
        return Duration.ofMillis(Math.round(mean.toMillis() * (0.75 + 0.5 * random.nextDouble())));
    }

    /** A scripted step did not happen. */
    private static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }
}
