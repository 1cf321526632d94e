package dev.voiceagent.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.voiceagent.edge.BodyLimit;
import dev.voiceagent.live.LiveCalls;
import dev.voiceagent.live.LiveEvent;
import dev.voiceagent.live.LiveUpdate;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.api.CallListing;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.CallPage;
import dev.voiceagent.store.CallStore;
import dev.voiceagent.store.StoreException;

/**
 * The operators' web console, served from the jar (plain HTML, CSS and ES modules under
 * {@code resources/console}; nothing from the internet, no build step):
 * <ul>
 *   <li>pages: {@code GET /console} (live calls and history), {@code /console/calls/{callSid}} (one call),
 *       {@code /console/personas}; {@code /console/login} (sign-in form), {@code POST /console/login} (key in,
 *       cookie out), {@code POST /console/logout}; static files at {@code /console/assets/{file}};</li>
 *   <li>data, JSON: {@code GET /console/api/calls?limit=&offset=&phone=}, {@code /console/api/calls/{callSid}},
 *       {@code /console/api/personas}, and {@code /console/api/live} (server-sent events: a {@code snapshot} of
 *       the calls in progress, then {@code started}, {@code turn} and {@code ended} events).</li>
 * </ul>
 * Every page and data endpoint passes {@link ConsoleAccess}: a page redirects to the sign-in page, data answers 401
 * JSON. A wrong key costs {@link #WRONG_KEY_DELAY} and counts against the client's attempts ({@link LoginThrottle});
 * the key is never echoed or logged. Request bodies are limited to {@link #MAX_BODY_BYTES}. Handlers block only on
 * the database (bounded by the pool) and, for the live stream, on the reader's own subscription.
 */
public final class ConsoleService implements HttpService {

    private static final Logger LOG = Logger.getLogger(ConsoleService.class.getName());
    public static final int MAX_BODY_BYTES = 4 * 1024;
    static final Duration WRONG_KEY_DELAY = Duration.ofMillis(750);
    /** A live stream ends after this long; the browser's EventSource reconnects by itself. */
    static final Duration STREAM_LIFETIME = Duration.ofMinutes(10);
    static final Duration KEEPALIVE = Duration.ofSeconds(15);
    private static final Map<String, String> ASSETS = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "live.js", "text/javascript; charset=utf-8",
            "call.js", "text/javascript; charset=utf-8",
            "personas.js", "text/javascript; charset=utf-8",
            "favicon.svg", "image/svg+xml");
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                                      + " connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none';"
                                      + " base-uri 'none'; form-action 'self'";

    private final ConsoleAccess access;
    private final CallStore store;
    private final PersonaCatalog personas;
    private final LiveCalls live;
    private final LoginThrottle perClient;
    private final LoginThrottle overall;
    private final ObjectMapper json = new ObjectMapper();

    public ConsoleService(ConsoleAccess access, CallStore store, PersonaCatalog personas, LiveCalls live) {
        this.access = access;
        this.store = store;
        this.personas = personas;
        this.live = live;
        this.perClient = new LoginThrottle(5, Duration.ofMinutes(1), 10_000, System::nanoTime);
        this.overall = new LoginThrottle(60, Duration.ofMinutes(1), 1, System::nanoTime);
        LOG.info(access.keyConfigured()
                 ? "console (/console): sign-in with ADMIN_API_KEY (session cookie, 12 h)"
                 : "console (/console): ADMIN_API_KEY is not set, so it answers only requests from this machine"
                   + " (loopback, without proxy headers)");
    }

    @Override
    public void routing(HttpRules rules) {
        BodyLimit limit = new BodyLimit(MAX_BODY_BYTES);
        rules.any("/console", limit.filter())
                .any("/console/*", limit.filter())
                .get("/console/assets/{file}", this::asset)
                .get("/console/login", this::loginPage)
                .post("/console/login", (req, res) -> signIn(req, res, limit))
                .post("/console/logout", this::signOut)
                .get("/console", page("live.html"))
                .get("/console/", (req, res) -> redirect(res, "/console"))
                .get("/console/calls/{callSid}", page("call.html"))
                .get("/console/personas", page("personas.html"))
                .any("/console/api/*", this::authorizeData)
                .get("/console/api/calls", this::listCalls)
                .get("/console/api/calls/{callSid}", this::getCall)
                .get("/console/api/personas", this::listPersonas)
                .get("/console/api/live", this::liveStream);
    }

    // ---- pages

    private io.helidon.webserver.http.Handler page(String name) {
        return (req, res) -> {
            if (!access.allows(req)) {
                redirect(res, "/console/login");
                return;
            }
            sendPage(res, Status.OK_200, resource(name));
        };
    }

    private void loginPage(ServerRequest req, ServerResponse res) {
        if (access.allows(req)) {
            redirect(res, "/console");
            return;
        }
        String note = access.keyConfigured() ? ""
                : "ADMIN_API_KEY is not set on the server: the console answers only requests made directly on the"
                  + " server's own machine (loopback). Set ADMIN_API_KEY to sign in from elsewhere.";
        sendLogin(res, Status.OK_200, note);
    }

    private void signIn(ServerRequest req, ServerResponse res, BodyLimit limit) {
        if (!access.keyConfigured()) {
            if (access.allows(req)) {
                redirect(res, "/console");
            } else {
                sendLogin(res, Status.FORBIDDEN_403, "ADMIN_API_KEY is not set on the server, so signing in is"
                                                     + " not possible from here; only the server's own machine may"
                                                     + " use the console.");
            }
            return;
        }
        String client = clientOf(req);
        if (!perClient.mayTry(client) || !overall.mayTry("*")) {
            res.header(HeaderNames.RETRY_AFTER, "60");
            sendLogin(res, Status.TOO_MANY_REQUESTS_429, "Too many wrong keys. Wait a minute, then try again.");
            return;
        }
        String key;
        try {
            key = formField(new String(limit.read(req), StandardCharsets.UTF_8), "key").orElse("");
        } catch (BodyLimit.TooLarge e) {
            limit.refuse(res);
            return;
        }
        if (!access.keyMatches(key)) {
            perClient.failed(client);
            overall.failed("*");
            LOG.warning("console: a sign-in with a wrong key was refused");
            sleep(WRONG_KEY_DELAY);
            sendLogin(res, Status.UNAUTHORIZED_401, "Wrong key. Sign in with the server's ADMIN_API_KEY.");
            return;
        }
        perClient.succeeded(client);
        res.header(HeaderNames.SET_COOKIE, access.signInCookie(req));
        redirect(res, "/console");
    }

    private void signOut(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.SET_COOKIE, access.signOutCookie(req));
        redirect(res, "/console/login");
    }

    private void asset(ServerRequest req, ServerResponse res) {
        String file = req.path().pathParameters().get("file");
        String type = ASSETS.get(file);
        if (type == null) {
            res.status(Status.NOT_FOUND_404).header(HeaderNames.CONTENT_TYPE, "text/plain").send("not found");
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Content-Type-Options", "nosniff");
        res.send(resource(file).getBytes(StandardCharsets.UTF_8));
    }

    private void sendLogin(ServerResponse res, Status status, String message) {
        String html = resource("login.html").replace("{{message}}", escape(message))
                .replace("{{messageClass}}", message.isEmpty() ? "hidden" : "error");
        sendPage(res, status, html);
    }

    private static void sendPage(ServerResponse res, Status status, String html) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header("Content-Security-Policy", CSP);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "same-origin");
        res.send(html.getBytes(StandardCharsets.UTF_8));
    }

    private static void redirect(ServerResponse res, String to) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, to);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send();
    }

    // ---- data

    private void authorizeData(ServerRequest req, ServerResponse res) {
        if (access.allows(req)) {
            res.next();
            return;
        }
        error(res, Status.UNAUTHORIZED_401, access.keyConfigured()
                ? "sign in at /console/login (session cookie missing, expired or invalid)"
                : "ADMIN_API_KEY is not set: the console answers only direct requests from this machine");
    }

    private void listCalls(ServerRequest req, ServerResponse res) {
        CallListing.Query query;
        try {
            query = CallListing.Query.of(req);
        } catch (IllegalArgumentException e) {
            error(res, Status.BAD_REQUEST_400, e.getMessage());
            return;
        }
        try {
            CallPage page = store.calls(query.phone(), query.limit(), query.offset());
            send(res, CallListing.page(page, query, c -> ConsoleViews.call(c, json), json));
        } catch (StoreException e) {
            unavailable(res, e);
        }
    }

    private void getCall(ServerRequest req, ServerResponse res) {
        String sid = req.path().pathParameters().get("callSid");
        if (!CallListing.isCallSid(sid)) {
            error(res, Status.BAD_REQUEST_400, CallListing.CALL_SID_RULE);
            return;
        }
        try {
            Optional<CallDetail> call = store.call(sid);
            if (call.isEmpty()) {
                error(res, Status.NOT_FOUND_404, "no call " + sid);
                return;
            }
            send(res, ConsoleViews.detail(call.get(), json));
        } catch (StoreException e) {
            unavailable(res, e);
        }
    }

    private void listPersonas(ServerRequest req, ServerResponse res) {
        send(res, ConsoleViews.personas(personas, json));
    }

    /** Server-sent events: a snapshot, then every event, until the browser leaves or {@link #STREAM_LIFETIME}. */
    private void liveStream(ServerRequest req, ServerResponse res) {
        Optional<LiveCalls.Subscription> subscribed = live.subscribe();
        if (subscribed.isEmpty()) {
            res.header(HeaderNames.RETRY_AFTER, "10");
            error(res, Status.SERVICE_UNAVAILABLE_503, "too many live views open; try again shortly");
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header("X-Accel-Buffering", "no");
        long deadline = System.nanoTime() + STREAM_LIFETIME.toNanos();
        try (LiveCalls.Subscription subscription = subscribed.get(); OutputStream out = res.outputStream()) {
            write(out, "retry: 2000\n\n");
            while (System.nanoTime() < deadline) {
                Optional<LiveUpdate> update = subscription.next(KEEPALIVE);
                if (update.isEmpty()) {
                    write(out, ": keep-alive\n\n");
                    continue;
                }
                switch (update.get()) {
                    case LiveUpdate.Snapshot s -> event(out, "snapshot", ConsoleViews.snapshot(s.calls(), json));
                    case LiveUpdate.Event(LiveEvent.Started s) -> event(out, "started", ConsoleViews.started(s, json));
                    case LiveUpdate.Event(LiveEvent.Turn t) -> event(out, "turn", ConsoleViews.turn(t, json));
                    case LiveUpdate.Event(LiveEvent.Ended e) -> event(out, "ended", ConsoleViews.ended(e, json));
                    case LiveUpdate.Closed c -> {
                        return;
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the browser went away: nothing to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void event(OutputStream out, String name, ObjectNode data) throws IOException {
        write(out, "event: " + name + "\ndata: " + data + "\n\n");
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ---- helpers

    /** The value of {@code name} in an {@code application/x-www-form-urlencoded} body. */
    static Optional<String> formField(String body, String name) {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            try {
                if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
                    return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Who is signing in, as far as can be told: the proxy's client address when there is one, and the peer. */
    private static String clientOf(ServerRequest req) {
        SocketAddress peer = req.remotePeer().address();
        String ip = peer instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(peer);
        String forwarded = req.headers().first(HeaderNames.X_FORWARDED_FOR).map(v -> v.split(",")[0].strip()).orElse("");
        return ip + "|" + (forwarded.length() > 64 ? forwarded.substring(0, 64) : forwarded);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String resource(String name) {
        try (InputStream in = ConsoleService.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console resource missing from the jar: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private void unavailable(ServerResponse res, StoreException e) {
        LOG.warning("console: database unavailable: " + e.getMessage());
        res.header(HeaderNames.RETRY_AFTER, "5");
        error(res, Status.SERVICE_UNAVAILABLE_503, "the database is unavailable; try again shortly");
    }

    private void error(ServerResponse res, Status status, String message) {
        ObjectNode body = json.createObjectNode();
        body.put("error", message);
        body.put("status", status.code());
        res.status(status);
        send(res, body);
    }

    private static void send(ServerResponse res, ObjectNode body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body.toString());
    }
}
