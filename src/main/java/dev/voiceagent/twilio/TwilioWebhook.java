package dev.voiceagent.twilio;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.voiceagent.edge.BodyLimit;
import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;

/**
 * Twilio's HTTP callbacks: {@code POST /twilio/voice} answers an incoming call with
 * {@code <Connect><Stream>} to our media socket, and {@code POST /twilio/status} takes call status
 * callbacks.
 *
 * <p>Each request meets, in order and before anything else is done with it: the body limit
 * ({@link #MAX_BODY_BYTES}; 413, the rest of the body unread), the form parse (400), and, unless checks are
 * explicitly off for local development, the {@code X-Twilio-Signature} computed over the public URL + path
 * (403). Then a call is refused while draining (503), answered with an apology when the agent cannot run,
 * and held to the instance's call cap: beyond it the caller hears a short apology and is hung up, or is
 * forwarded to the overflow number, and the refusal is counted. Handlers run on Helidon's request threads
 * and do not block beyond reading the (bounded) body.
 */
public final class TwilioWebhook implements HttpService {

    static final String MEDIA_PATH = "/twilio/media";
    static final String RELAY_PATH = "/twilio/relay";
    static final String RELAY_ACTION_PATH = "/twilio/relay/action";
    /** Twilio's webhook forms are a few KB; nothing legitimate comes near this. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    static final String BUSY_MESSAGE = "Sorry, all of our lines are busy right now. Please call again in a few minutes."
                                       + " Goodbye.";
    static final String OVERFLOW_MESSAGE = "All of our lines are busy. Connecting you now.";

    private final BodyLimit limit = new BodyLimit(MAX_BODY_BYTES);
    private final SignatureCheck check;
    private final Optional<URI> publicBaseUrl;
    private final PersonaCatalog personas;
    private final StreamTokens tokens;
    private final BooleanSupplier agentCanRun;
    private final BooleanSupplier draining;
    private final Predicate<String> admit;
    private final Optional<String> overflowNumber;
    private final CallMetrics metrics;
    private final WelcomeGreeting welcome;
    private final java.util.function.BiConsumer<String, String> sessionOutcome;
    private final SignedForms forms;

    /**
     * The first words of a ConversationRelay call, which Twilio speaks from the TwiML before our socket opens:
     * the persona's greeting, or its returning-caller greeting when this caller's name may be used.
     */
    @FunctionalInterface
    public interface WelcomeGreeting {
        /**
         * @param stirVerstat Twilio's SHAKEN/STIR attestation of the caller id; blank when absent
         */
        String forCaller(Persona persona, String from, String stirVerstat);
    }

    /**
     * @param check          whether and how Twilio's signatures are checked
     * @param publicBaseUrl  the public origin (for the media URL); required when checks are enforced
     * @param agentCanRun    whether conversations are possible (speech vendors configured)
     * @param draining       whether the server is shutting down: new calls are refused with 503 so Twilio's
     *                       fallback URL (or another instance) can take them
     * @param admit          reserves a place for the call with this sid; false when the instance is full
     * @param overflowNumber where calls beyond the cap are forwarded; without one they are hung up politely
     * @param welcome        the welcome greeting of a ConversationRelay call
     * @param sessionOutcome stores a ConversationRelay session's outcome (call sid, outcome); must not block
     */
    public TwilioWebhook(SignatureCheck check, Optional<URI> publicBaseUrl, PersonaCatalog personas,
                         StreamTokens tokens, BooleanSupplier agentCanRun, BooleanSupplier draining,
                         Predicate<String> admit, Optional<String> overflowNumber, CallMetrics metrics,
                         WelcomeGreeting welcome, java.util.function.BiConsumer<String, String> sessionOutcome) {
        this.check = check;
        this.publicBaseUrl = check instanceof SignatureCheck.Enforced e ? Optional.of(e.publicBaseUrl()) : publicBaseUrl;
        this.personas = personas;
        this.tokens = tokens;
        this.agentCanRun = agentCanRun;
        this.draining = draining;
        this.admit = admit;
        this.overflowNumber = overflowNumber;
        this.metrics = metrics;
        this.welcome = welcome;
        this.sessionOutcome = sessionOutcome;
        this.forms = new SignedForms(limit, check);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(limit.filter())
                .post("/voice", this::voice)
                .post("/status", this::status)
                .post("/relay/action", this::relayAction);
    }

    private void voice(ServerRequest req, ServerResponse res) {
        Optional<Form> form = verifiedForm(req, res);
        if (form.isEmpty()) {
            return;
        }
        String callSid = form.get().first("CallSid").orElse("");
        if (!callSid.matches("CA[0-9a-fA-F]{32}")) {
            res.status(Status.BAD_REQUEST_400).send("CallSid is missing or malformed");
            return;
        }
        if (draining.getAsBoolean()) {
            new CallLog(callSid).warn("refusing the call: the server is shutting down");
            metrics.callRejected("draining");
            res.status(Status.SERVICE_UNAVAILABLE_503).header(HeaderNames.RETRY_AFTER, "1").send("shutting down");
            return;
        }
        String from = form.get().first("From").orElse("");
        String to = form.get().first("To").orElse("");
        res.headers().contentType(MediaTypes.APPLICATION_XML);
        if (!agentCanRun.getAsBoolean()) {
            new CallLog(callSid).warn("answering with an apology: speech vendors are not configured");
            res.send(TwiML.sayAndHangUp("Sorry, this line is not available right now. Please call again later."));
            return;
        }
        if (!admit.test(callSid)) {
            metrics.callRejected("capacity");
            if (overflowNumber.isPresent()) {
                new CallLog(callSid).warn("at the call cap: forwarding the call to the overflow number");
                res.send(TwiML.sayAndDial(OVERFLOW_MESSAGE, overflowNumber.get()));
            } else {
                new CallLog(callSid).warn("at the call cap: telling the caller the lines are busy");
                res.send(TwiML.sayAndHangUp(BUSY_MESSAGE));
            }
            return;
        }
        Persona persona = personas.current().forNumber(to);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("from", from);
        params.put("to", to);
        params.put("persona", persona.id());
        // SHAKEN/STIR attestation of the caller id ("TN-Validation-Passed-A" and so on); only present for
        // calls that carried a PASSporT, so empty is normal and means unverified.
        params.put("verstat", form.get().first("StirVerstat").orElse(""));
        params.put("token", tokens.issue(callSid));
        new CallLog(callSid).info("answering", "persona", persona.id(), "from", from, "to", to,
                                  "transport", persona.transport().text());
        res.send(switch (persona.transport()) {
            case MEDIA_STREAM -> TwiML.connectStream(socketUrl(req, MEDIA_PATH), params);
            case CONVERSATION_RELAY -> TwiML.connectRelay(httpUrl(req, RELAY_ACTION_PATH), socketUrl(req, RELAY_PATH),
                                                          welcome.forCaller(persona, from, params.get("verstat")),
                                                          persona.relay(), params);
        });
    }

    /**
     * The {@code <Connect action>} callback of a ConversationRelay call: the session's outcome ({@code SessionStatus}
     * {@code completed}, {@code ended} or {@code failed}, with {@code ErrorCode}/{@code ErrorMessage}, and the
     * {@code HandoffData} of our {@code end} message), logged and counted. Answers an empty {@code <Response/>}:
     * nothing follows the session, so Twilio ends the call.
     */
    private void relayAction(ServerRequest req, ServerResponse res) {
        Optional<Form> form = verifiedForm(req, res);
        if (form.isEmpty()) {
            return;
        }
        Form p = form.get();
        String status = p.first("SessionStatus").orElse("unknown").strip().toLowerCase(java.util.Locale.ROOT);
        if (!status.matches("completed|ended|failed")) {
            status = "unknown";
        }
        String handoff = p.first("HandoffData").orElse("");
        metrics.relaySession(status, !handoff.isBlank());
        CallLog log = new CallLog(p.first("CallSid").orElse("-"));
        Object[] fields = {"sessionId", p.first("SessionId").orElse("-"), "sessionStatus", status,
                           "sessionDuration", p.first("SessionDuration").orElse("-"),
                           "handoffData", handoff.isBlank() ? "-" : handoff,
                           "errorCode", p.first("ErrorCode").orElse("-"),
                           "errorMessage", p.first("ErrorMessage").orElse("-")};
        String callSid = p.first("CallSid").orElse("");
        if (callSid.matches("CA[0-9a-fA-F]{32}")) {
            String error = p.first("ErrorCode").map(code -> " " + code + p.first("ErrorMessage").map(m -> ": " + m).orElse(""))
                    .orElse("");
            sessionOutcome.accept(callSid, status + error + (handoff.isBlank() ? "" : "; handoff " + handoff));
        }
        if (status.equals("failed")) {
            log.warn("ConversationRelay session failed", fields);
        } else {
            log.info("ConversationRelay session ended", fields);
        }
        res.headers().contentType(MediaTypes.APPLICATION_XML);
        res.send(TwiML.empty());
    }

    private void status(ServerRequest req, ServerResponse res) {
        Optional<Form> form = verifiedForm(req, res);
        if (form.isEmpty()) {
            return;
        }
        Form p = form.get();
        new CallLog(p.first("CallSid").orElse("-")).info("status callback", "callStatus", p.first("CallStatus").orElse("-"),
                                                          "callDuration", p.first("CallDuration").orElse("-"));
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * The form, if the body is within the limit, parses and (unless checks are off) is validly signed;
     * otherwise answers the request (413, 400 or 403) and returns empty.
     */
    private Optional<Form> verifiedForm(ServerRequest req, ServerResponse res) {
        return forms.verified(req, res);
    }

    /** {@code wss://<public host><path>}; Twilio accepts only wss, local tests use ws. */
    private String socketUrl(ServerRequest req, String path) {
        String http = httpUrl(req, path);
        return (http.startsWith("https:") ? "wss" : "ws") + http.substring(http.indexOf(':'));
    }

    /** {@code https://<public host><path>}, or from the request's host when no public URL is configured. */
    private String httpUrl(ServerRequest req, String path) {
        if (publicBaseUrl.isPresent()) {
            URI base = publicBaseUrl.get();
            String scheme = "http".equals(base.getScheme()) ? "http" : "https";
            return scheme + "://" + base.getRawAuthority() + base.getRawPath() + path;
        }
        String host = req.headers().first(HeaderNames.HOST).orElse("localhost");
        String proto = req.headers().first(HeaderNames.X_FORWARDED_PROTO).orElse(req.isSecure() ? "https" : "http");
        return ("https".equalsIgnoreCase(proto) ? "https" : "http") + "://" + host + path;
    }
}
