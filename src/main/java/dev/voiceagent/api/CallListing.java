package dev.voiceagent.api;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;

import dev.voiceagent.store.CallPage;
import dev.voiceagent.store.StoredCall;

/**
 * What the call API and the console share about finding calls, so the two cannot drift apart: which call sids
 * exist, the list query ({@code limit}, {@code offset}, {@code phone}) and the shape of a page of calls. Each caller
 * keeps its own view of one call (the console masks numbers). Pure functions; thread-safe.
 */
public final class CallListing {

    /** Twilio's call sids ({@code CA}) and the web phone's ({@code WC}), 32 hex digits after. */
    public static final Pattern CALL_SID = Pattern.compile("(CA|WC)[0-9a-fA-F]{32}");
    /** The 400's message for anything else. */
    public static final String CALL_SID_RULE = "a call sid is 'CA' followed by 32 hex digits ('WC' for a web phone call)";
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9]{3,16}");

    private CallListing() {
    }

    /** Whether {@code sid} can name a stored call. */
    public static boolean isCallSid(String sid) {
        return sid != null && CALL_SID.matcher(sid).matches();
    }

    /**
     * A list query: at most {@code limit} calls (1..100, default 20) from {@code offset}, newest first, those whose
     * caller or dialed number is {@code phone} when given (spaces, dots, dashes and brackets ignored).
     */
    public record Query(Optional<String> phone, int limit, int offset) {

        /**
         * The query of {@code req}; a blank parameter counts as absent.
         *
         * @throws IllegalArgumentException with the 400's message when a parameter is out of range or malformed
         */
        public static Query of(ServerRequest req) {
            int limit = intParam(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
            int offset = intParam(req, "offset", 0, 0, 1_000_000);
            Optional<String> phone = req.query().first("phone").asOptional().map(p -> p.replaceAll("[\\s().-]", ""))
                    .filter(p -> !p.isEmpty());
            if (phone.isPresent() && !PHONE.matcher(phone.get()).matches()) {
                throw new IllegalArgumentException("phone must be a phone number such as +15550100001");
            }
            return new Query(phone, limit, offset);
        }
    }

    /** The page as JSON: {@code total}, {@code limit}, {@code offset}, {@code nextOffset} when there is more, {@code calls[]}. */
    public static ObjectNode page(CallPage page, Query query, Function<StoredCall, ? extends JsonNode> view,
                                  ObjectMapper json) {
        ObjectNode body = json.createObjectNode();
        body.put("total", page.total());
        body.put("limit", query.limit());
        body.put("offset", query.offset());
        if (query.offset() + page.calls().size() < page.total()) {
            body.put("nextOffset", query.offset() + page.calls().size());
        }
        ArrayNode calls = body.putArray("calls");
        page.calls().forEach(c -> calls.add(view.apply(c)));
        return body;
    }

    /** An optional integer query parameter within [min, max], {@code dflt} when absent or blank. */
    private static int intParam(ServerRequest req, String name, int dflt, int min, int max) {
        Optional<String> raw = req.query().first(name).asOptional();
        if (raw.isEmpty() || raw.get().isBlank()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw.get().strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the same message
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max);
    }
}
