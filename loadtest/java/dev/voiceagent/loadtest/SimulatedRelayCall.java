package dev.voiceagent.loadtest;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.voiceagent.fakes.FakeConversationRelay;

/**
 * One caller of a ConversationRelay load run ({@code TRANSPORT=conversation-relay}), scripted at a human pace:
 * Twilio's signed webhook, the relay socket and {@code setup}, a pause for the welcome greeting Twilio speaks, then
 * {@code turns} times: pause, send a {@code prompt} (what Twilio's recogniser would send at the end of the turn),
 * time the first {@code text} token and read the answer to its {@code last: true}, then wait while Twilio would
 * speak it. Then it holds the line until the run has sampled the server, and hangs up. Every wait is bounded;
 * whatever goes wrong ends up in the {@link CallResult}, never as an exception. There is no audio: the reply time
 * is prompt sent to first token received.
 */
final class SimulatedRelayCall implements Callable<CallResult> {

    /** What a relay caller says, in turn (cycling). */
    static final List<String> PROMPTS = List.of("I would like to book an appointment for next Tuesday.",
                                                "Yes, that works, thanks.", "My name is Dana Reyes.");
    /** About how long Twilio takes to speak a character of the agent's text. */
    private static final long SPEECH_MILLIS_PER_CHAR = 60;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final int index;
    private final String callSid;
    private final HttpClient http;
    private final TwilioEdge edge;
    private final SimulatedCall.Script script;
    private final Plateau plateau;
    private final Random random;

    SimulatedRelayCall(int index, String callSid, HttpClient http, TwilioEdge edge, SimulatedCall.Script script,
                       Plateau plateau) {
        this.index = index;
        this.callSid = callSid;
        this.http = http;
        this.edge = edge;
        this.script = script;
        this.plateau = plateau;
        this.random = new Random(index);
    }

    @Override
    public CallResult call() {
        FakeConversationRelay relay = null;
        boolean greeted = false;
        List<Long> replies = new ArrayList<>();
        String failure = null;
        try {
            String from = String.format("+1555%07d", index);
            TwilioEdge.StreamTwiml twiml = edge.answerRelay(callSid, FakeVendorsMain.TWILIO_ACCOUNT_SID, from, script.to());
            relay = FakeConversationRelay.connect(http, edge.mediaUri(twiml),
                                                  Map.of("X-Twilio-Signature", edge.handshakeSignature(twiml)));
            relay.setup(callSid, from, script.to(), twiml.parameters());
            Thread.sleep(script.bounded(Duration.ofMillis(2000)));   // Twilio speaks the welcome greeting
            plateau.greeted();
            greeted = true;
            for (int turn = 1; turn <= script.turns(); turn++) {
                Thread.sleep(script.bounded(jittered(script.pause())));
                if (script.bounded(Duration.ofSeconds(1)).isZero()) {
                    throw new IllegalStateException("turn " + turn + ": run deadline (MAX_SECONDS) reached");
                }
                long sent = System.nanoTime();
                relay.prompt(PROMPTS.get((turn - 1) % PROMPTS.size()));
                JsonNode first = relay.awaitToken(script.bounded(script.replyTimeout()));
                replies.add((FakeConversationRelay.receivedNanos(first) - sent) / 1_000_000);
                String rest = first.path("last").asBoolean() ? "" : relay.awaitReply(script.bounded(script.talkTimeout()));
                String answer = first.path("token").asText() + rest;
                Thread.sleep(script.bounded(Duration.ofMillis(answer.length() * SPEECH_MILLIS_PER_CHAR)));
                if (relay.isClosed()) {
                    throw new IllegalStateException("turn " + turn + ": server closed the socket");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted (run deadline)";
        } catch (Exception | AssertionError e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            if (!greeted) {
                plateau.greeted();
            }
            plateau.turnsDone(failure == null);
        }
        if (failure == null && relay != null) {
            try {
                plateau.awaitSampled(script.bounded(Duration.ofNanos(Long.MAX_VALUE)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            failure = relay.isClosed() ? "server closed the socket while the caller held" : null;
        }
        if (relay != null) {
            relay.hangUp();
            try {
                relay.awaitClose(CLOSE_TIMEOUT);
            } catch (Exception e) {
                // the server did not answer the close in time; the socket is aborted below
            }
            relay.close();
        }
        return new CallResult(index, callSid, failure, -1, replies, List.of(), 0);
    }

    private Duration jittered(Duration mean) {
        return Duration.ofMillis(Math.round(mean.toMillis() * (0.75 + 0.5 * random.nextDouble())));
    }
}
