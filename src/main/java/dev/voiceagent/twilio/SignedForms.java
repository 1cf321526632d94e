package dev.voiceagent.twilio;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.voiceagent.edge.BodyLimit;

/**
 * Reads the form of one of Twilio's signed HTTP requests: within the body limit (413), parsed (400), and, unless
 * checks are off for local development, validly signed over the public URL + path + query (403). Immutable;
 * blocks only on reading the bounded body.
 */
final class SignedForms {

    private static final Logger LOG = Logger.getLogger(SignedForms.class.getName());

    private final BodyLimit limit;
    private final SignatureCheck check;

    SignedForms(BodyLimit limit, SignatureCheck check) {
        this.limit = limit;
        this.check = check;
    }

    /**
     * The form, if the body is within the limit, parses and (unless checks are off) is validly signed; otherwise
     * answers the request (413, 400 or 403) and returns empty.
     */
    Optional<Form> verified(ServerRequest req, ServerResponse res) {
        Form form;
        try {
            String type = req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
            if (!type.equalsIgnoreCase("application/x-www-form-urlencoded")) {
                throw new IllegalArgumentException("content type " + type);
            }
            form = Form.parse(limit.read(req));
        } catch (BodyLimit.TooLarge e) {
            LOG.warning("refused " + req.path().absolute().rawPath() + ": " + e.getMessage());
            limit.refuse(res);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            res.status(Status.BAD_REQUEST_400).send("expected an application/x-www-form-urlencoded body");
            return Optional.empty();
        }
        if (check instanceof SignatureCheck.Enforced enforced) {
            String given = req.headers().first(HeaderNames.create("X-Twilio-Signature")).orElse("");
            if (!enforced.signature().matchesAny(given, List.of(signedUrl(req, enforced.publicBaseUrl())),
                                                 form.params())) {
                LOG.warning("refused " + req.path().absolute().rawPath() + ": bad or missing X-Twilio-Signature");
                res.status(Status.FORBIDDEN_403).send("invalid Twilio signature");
                return Optional.empty();
            }
        }
        return Optional.of(form);
    }

    /** The URL Twilio signed: the public URL it was configured with, including any query string. */
    private static String signedUrl(ServerRequest req, URI publicBaseUrl) {
        String query = req.query().rawValue();
        return publicBaseUrl.toString() + req.path().absolute().rawPath() + (query.isEmpty() ? "" : "?" + query);
    }
}
