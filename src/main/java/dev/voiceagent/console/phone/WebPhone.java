package dev.voiceagent.console.phone;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.voiceagent.edge.BodyLimit;
import dev.voiceagent.edge.PhoneAccess;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;

/**
 * The web phone's page and its persona list, registered at {@value #PATH}: {@code GET /console/phone} (the page,
 * {@code ?persona=<id>} preselects one), {@code GET /console/phone/personas} (JSON: {@code default} and
 * {@code personas[]} with {@code id}, {@code name}, {@code greeting}) and the page's own files (a fixed list, read
 * from the jar's {@code console/phone/}). The call itself goes over the socket at {@value #SOCKET_PATH}
 * ({@code TwilioSocketListener.webPhone}).
 *
 * <p>Every route needs {@link PhoneAccess} (the page redirects to the console's sign-in page; its files and data
 * answer 401) and takes no body (4 KB cap). Responses are not cached
 * and carry a content security policy that allows only this server (scripts, styles, the socket) and the
 * microphone for this origin. Thread-safe; the files are read once, at construction.
 */
public final class WebPhone implements HttpService {

    /** Where {@code Main} registers this service. */
    public static final String PATH = "/console/phone";
    /** Where {@code Main} registers the phone's WebSocket endpoint. */
    public static final String SOCKET_PATH = "/console/phone/socket";

    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                                      + " connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none';"
                                      + " base-uri 'none'; form-action 'none'";
    /** The page's files: name to content type. Nothing else under the path is served. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "phone.css", "text/css; charset=utf-8",
            "phone.js", "text/javascript; charset=utf-8",
            "audio.js", "text/javascript; charset=utf-8",
            "worklet.js", "text/javascript; charset=utf-8",
            "protocol.js", "text/javascript; charset=utf-8");

    private final PersonaCatalog personas;
    private final PhoneAccess access;
    private final Map<String, byte[]> content;
    private final ObjectMapper json = new ObjectMapper();

    public WebPhone(PersonaCatalog personas, PhoneAccess access) {
        this.personas = personas;
        this.access = access;
        this.content = FILES.keySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(f -> f, WebPhone::read));
    }

    @Override
    public void routing(HttpRules rules) {
        BodyLimit limit = new BodyLimit(4 * 1024);
        rules.any("/", limit.filter(), this::authorizePage)
                .any("/{file}", limit.filter(), this::authorize)
                .get("/", (req, res) -> file(res, "index.html"))
                .get("/personas", this::listPersonas)
                .get("/{file}", (req, res) -> file(res, req.path().pathParameters().get("file")));
    }

    /** The page itself, as the console's pages do, sends a signed-out browser to the sign-in page. */
    private void authorizePage(ServerRequest req, ServerResponse res) {
        if (access.allows(req.remotePeer().address(), req.headers())) {
            res.next();
            return;
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, "/console/login");
        res.send();
    }

    private void authorize(ServerRequest req, ServerResponse res) {
        if (access.allows(req.remotePeer().address(), req.headers())) {
            res.next();
            return;
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.status(Status.UNAUTHORIZED_401);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send("The web phone needs a console session: sign in to the console first.");
    }

    private void listPersonas(ServerRequest req, ServerResponse res) {
        ObjectNode body = json.createObjectNode();
        body.put("default", personas.current().defaultPersona().id());
        ArrayNode list = body.putArray("personas");
        for (Persona p : personas.current().all()) {
            list.addObject().put("id", p.id()).put("name", p.displayName()).put("greeting", p.greeting());
        }
        headers(res, "application/json");
        res.send(body.toString());
    }

    private void file(ServerResponse res, String name) {
        byte[] bytes = content.get(name);
        if (bytes == null) {
            res.status(Status.NOT_FOUND_404);
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.send();
            return;
        }
        headers(res, FILES.get(name));
        res.send(bytes);
    }

    private static void headers(ServerResponse res, String contentType) {
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header("Content-Security-Policy", CSP);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        res.header("Permissions-Policy", "microphone=(self)");
    }

    private static byte[] read(String name) {
        try (InputStream in = WebPhone.class.getClassLoader().getResourceAsStream("console/phone/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/phone/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
