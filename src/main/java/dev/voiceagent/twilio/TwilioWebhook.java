package dev.voiceagent.twilio;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.voiceagent.observe.CallLog;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;

/**
 * Twilio's HTTP callbacks: {@code POST /twilio/voice} answers an incoming call with
 * {@code <Connect><Stream>} to our media socket, and {@code POST /twilio/status} takes call status
 * callbacks. When an auth token is configured every request must carry a valid {@code X-Twilio-Signature}
 * computed over {@code PUBLIC_BASE_URL} + path (the URL Twilio was given), or it gets 403.
 */
public final class TwilioWebhook implements HttpService {

    private static final Logger LOG = Logger.getLogger(TwilioWebhook.class.getName());
    static final String MEDIA_PATH = "/twilio/media";

    private final Optional<TwilioSignature> signature;
    private final Optional<URI> publicBaseUrl;
    private final PersonaCatalog personas;
    private final StreamTokens tokens;
    private final BooleanSupplier agentCanRun;
    private final BooleanSupplier draining;

    /**
     * @param agentCanRun whether conversations are possible (speech vendors configured)
     * @param draining    whether the server is shutting down: new calls are refused with 503 so Twilio's
     *                    fallback URL (or another instance) can take them
     */
    public TwilioWebhook(Optional<TwilioSignature> signature, Optional<URI> publicBaseUrl, PersonaCatalog personas,
                         StreamTokens tokens, BooleanSupplier agentCanRun, BooleanSupplier draining) {
        this.signature = signature;
        this.publicBaseUrl = publicBaseUrl;
        this.personas = personas;
        this.tokens = tokens;
        this.agentCanRun = agentCanRun;
        this.draining = draining;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/voice", this::voice)
                .post("/status", this::status);
    }

    private void voice(ServerRequest req, ServerResponse res) {
        Optional<Parameters> form = verifiedForm(req, res);
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
        Persona persona = personas.current().forNumber(to);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("from", from);
        params.put("to", to);
        params.put("persona", persona.id());
        params.put("token", tokens.issue(callSid));
        new CallLog(callSid).info("answering", "persona", persona.id(), "from", from, "to", to);
        res.send(TwiML.connectStream(mediaUrl(req), params));
    }

    private void status(ServerRequest req, ServerResponse res) {
        Optional<Parameters> form = verifiedForm(req, res);
        if (form.isEmpty()) {
            return;
        }
        Parameters p = form.get();
        new CallLog(p.first("CallSid").orElse("-")).info("status callback", "callStatus", p.first("CallStatus").orElse("-"),
                                                          "callDuration", p.first("CallDuration").orElse("-"));
        res.status(Status.NO_CONTENT_204).send();
    }

    /** The form, if it parses and (when required) its signature is valid; otherwise answers the request. */
    private Optional<Parameters> verifiedForm(ServerRequest req, ServerResponse res) {
        Parameters form;
        try {
            form = req.content().as(Parameters.class);
        } catch (RuntimeException e) {
            res.status(Status.BAD_REQUEST_400).send("expected an application/x-www-form-urlencoded body");
            return Optional.empty();
        }
        if (signature.isPresent()) {
            String given = req.headers().first(HeaderNames.create("X-Twilio-Signature")).orElse("");
            Map<String, List<String>> params = new LinkedHashMap<>();
            form.names().forEach(n -> params.put(n, form.all(n)));
            if (!signature.get().matchesAny(given, List.of(signedUrl(req)), params)) {
                LOG.warning("refused " + req.path().absolute().rawPath() + ": bad or missing X-Twilio-Signature");
                res.status(Status.FORBIDDEN_403).send("invalid Twilio signature");
                return Optional.empty();
            }
        }
        return Optional.of(form);
    }

    /** The URL Twilio signed: the public URL it was configured with, including any query string. */
    private String signedUrl(ServerRequest req) {
        String query = req.query().rawValue();
        String pathAndQuery = req.path().absolute().rawPath() + (query.isEmpty() ? "" : "?" + query);
        return publicBaseUrl.map(u -> u.toString() + pathAndQuery)
                .orElseGet(() -> req.requestedUri().toUri().toString());
    }

    /** {@code wss://<public host>/twilio/media}; Twilio accepts only wss, local tests use ws. */
    private String mediaUrl(ServerRequest req) {
        if (publicBaseUrl.isPresent()) {
            URI base = publicBaseUrl.get();
            String scheme = "http".equals(base.getScheme()) ? "ws" : "wss";
            return scheme + "://" + base.getRawAuthority() + base.getRawPath() + MEDIA_PATH;
        }
        String host = req.headers().first(HeaderNames.HOST).orElse("localhost");
        String proto = req.headers().first(HeaderNames.X_FORWARDED_PROTO).orElse(req.isSecure() ? "https" : "http");
        return ("https".equalsIgnoreCase(proto) ? "wss" : "ws") + "://" + host + MEDIA_PATH;
    }
}
