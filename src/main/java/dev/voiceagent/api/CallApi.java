package dev.voiceagent.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

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
import dev.voiceagent.edge.LocalRequests;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.store.CallDetail;
import dev.voiceagent.store.CallPage;
import dev.voiceagent.store.CallStore;
import dev.voiceagent.store.StoreException;

/**
 * The operators' read API, JSON over HTTP: {@code GET /personas}, {@code /personas/{id}}, {@code /calls}
 * (newest first, paged with {@code limit} and {@code offset}, filtered by {@code phone}) and
 * {@code /calls/{callSid}} (turns, facts, summary, CRM delivery status).
 * <p>
 * Calls hold callers' words and numbers, so every request needs {@code Authorization: Bearer
 * $ADMIN_API_KEY}. Without a key configured the API answers only requests from this machine (see
 * {@link LocalRequests}: loopback and no proxy header, so a same-host tunnel does not count as local), which
 * keeps local development easy without ever exposing transcripts on a public address. Request bodies are
 * limited to {@link #MAX_BODY_BYTES} (413): the API takes none.
 */
public final class CallApi implements HttpService {

    private static final Logger LOG = Logger.getLogger(CallApi.class.getName());
    /** The API is read-only; a body is never needed. */
    public static final int MAX_BODY_BYTES = 4 * 1024;
    private static final Pattern PERSONA_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final CallStore store;
    private final PersonaCatalog personas;
    private final Optional<byte[]> apiKey;
    private final ObjectMapper json = new ObjectMapper();

    public CallApi(CallStore store, PersonaCatalog personas, Optional<String> adminApiKey) {
        this.store = store;
        this.personas = personas;
        this.apiKey = adminApiKey.map(k -> k.getBytes(StandardCharsets.UTF_8));
        LOG.info(adminApiKey.isPresent()
                 ? "call API (/calls, /personas): protected by a bearer key (ADMIN_API_KEY)"
                 : "call API (/calls, /personas): ADMIN_API_KEY is not set, so it answers only requests from this"
                   + " machine (loopback, without proxy headers); set ADMIN_API_KEY to use it remotely");
    }

    @Override
    public void routing(HttpRules rules) {
        // Only the API's own paths: the service sits at the root beside health, metrics and Twilio's routes.
        BodyLimit limit = new BodyLimit(MAX_BODY_BYTES);
        for (String path : new String[] {"/personas", "/personas/{id}", "/calls", "/calls/{callSid}"}) {
            rules.any(path, limit.filter(), this::authorize);
        }
        rules.get("/personas", this::listPersonas)
                .get("/personas/{id}", this::getPersona)
                .get("/calls", this::listCalls)
                .get("/calls/{callSid}", this::getCall);
    }

    private void authorize(ServerRequest req, ServerResponse res) {
        if (apiKey.isEmpty()) {
            if (LocalRequests.isLocal(req)) {
                res.next();
                return;
            }
            error(res, Status.UNAUTHORIZED_401, "the call API needs ADMIN_API_KEY to be set on the server"
                                                + " (without it, only direct requests from this machine are answered)");
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        byte[] given = header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, apiKey.get())) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            error(res, Status.UNAUTHORIZED_401, "missing or wrong bearer token");
            return;
        }
        res.next();
    }

    private void listPersonas(ServerRequest req, ServerResponse res) {
        ObjectNode body = json.createObjectNode();
        body.put("default", personas.current().defaultPersona().id());
        ArrayNode list = body.putArray("personas");
        personas.current().all().forEach(p -> list.add(Views.persona(p, json)));
        send(res, body);
    }

    private void getPersona(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!PERSONA_ID.matcher(id).matches()) {
            error(res, Status.BAD_REQUEST_400, "persona id must be 1-64 letters, digits, '-' or '_'");
            return;
        }
        Optional<Persona> persona = personas.current().byId(id);
        if (persona.isEmpty()) {
            error(res, Status.NOT_FOUND_404, "no persona '" + id + "'");
            return;
        }
        send(res, Views.persona(persona.get(), json));
    }

    private void listCalls(ServerRequest req, ServerResponse res) {
        CallListing.Query query;
        try {
            for (String name : req.query().names()) {
                if (!name.equals("limit") && !name.equals("offset") && !name.equals("phone")) {
                    throw new IllegalArgumentException("unknown parameter '" + name + "' (use limit, offset, phone)");
                }
            }
            query = CallListing.Query.of(req);
        } catch (IllegalArgumentException e) {
            error(res, Status.BAD_REQUEST_400, e.getMessage());
            return;
        }
        try {
            CallPage page = store.calls(query.phone(), query.limit(), query.offset());
            send(res, CallListing.page(page, query, c -> Views.call(c, json), json));
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
            send(res, Views.detail(call.get(), json));
        } catch (StoreException e) {
            unavailable(res, e);
        }
    }

    private void unavailable(ServerResponse res, StoreException e) {
        LOG.warning("call API: database unavailable: " + e.getMessage());
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
