package dev.voiceagent.twilio;

import java.util.Optional;
import java.util.logging.Logger;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.voiceagent.edge.BodyLimit;

/**
 * The whisper of a warm transfer: {@code POST /twilio/whisper?t={token}} is the {@code <Number url>} (or
 * {@code <Sip url>}) Twilio fetches once the dialed person answers, before the caller is connected. It answers
 * {@code <Response><Say>{intro} {summary}</Say></Response>} with the summary sealed in the token
 * ({@link WhisperTokens}). Signed like every Twilio webhook (403 otherwise; the signed URL includes the query);
 * a token that does not open (forged, expired) still gets the intro alone, so the transfer is never broken by it,
 * but no summary. Register under {@code /twilio/whisper}. Handlers do not block beyond the bounded body.
 */
public final class WhisperRoute implements HttpService {

    /** The path, under the public base URL. */
    public static final String PATH = "/twilio/whisper";
    /** Said before the summary, and alone when there is none. */
    public static final String INTRO = "Incoming transfer from the virtual receptionist.";

    private static final Logger LOG = Logger.getLogger(WhisperRoute.class.getName());
    private static final int MAX_BODY_BYTES = 16 * 1024;

    private final BodyLimit limit = new BodyLimit(MAX_BODY_BYTES);
    private final SignedForms forms;
    private final WhisperTokens tokens;

    public WhisperRoute(SignatureCheck check, WhisperTokens tokens) {
        this.forms = new SignedForms(limit, check);
        this.tokens = tokens;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(limit.filter()).post(this::whisper);
    }

    private void whisper(ServerRequest req, ServerResponse res) {
        Optional<Form> form = forms.verified(req, res);
        if (form.isEmpty()) {
            return;
        }
        Optional<String> summary = req.query().first("t").asOptional().flatMap(tokens::open);
        if (summary.isEmpty()) {
            LOG.warning("whisper: the token did not open (expired or not ours); saying the intro only");
        }
        String text = summary.filter(s -> !s.isBlank()).map(s -> INTRO + " " + s).orElse(INTRO);
        res.status(Status.OK_200);
        res.headers().contentType(MediaTypes.APPLICATION_XML);
        res.send(TwiML.say(text));
    }
}
