package dev.voiceagent.observe;

import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.voiceagent.persona.PersonaCatalog;

/**
 * {@code GET /observe/health}: whether the server can take calls, which vendors are configured, whether
 * the personas file is valid, and how many calls are in progress. 200 when UP, 503 when it cannot answer
 * calls (no speech vendor configured); a rejected personas edit shows as DEGRADED (200: the last good
 * personas still serve calls).
 */
public final class HealthService implements HttpService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Boolean> vendors;
    private final PersonaCatalog personas;
    private final IntSupplier activeCalls;
    private final boolean agentCanRun;

    /**
     * @param vendors     vendor name to whether its credentials are configured
     * @param agentCanRun whether calls can be answered at all (speech vendors present)
     */
    public HealthService(Map<String, Boolean> vendors, PersonaCatalog personas, IntSupplier activeCalls,
                         boolean agentCanRun) {
        this.vendors = Map.copyOf(vendors);
        this.personas = personas;
        this.activeCalls = activeCalls;
        this.agentCanRun = agentCanRun;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health);
    }

    private void health(ServerRequest req, ServerResponse res) {
        ObjectNode body = JSON.createObjectNode();
        String personaError = personas.lastError().orElse(null);
        String status = !agentCanRun ? "DOWN" : personaError != null ? "DEGRADED" : "UP";
        body.put("status", status);
        ObjectNode checks = body.putObject("checks");
        ObjectNode v = checks.putObject("vendors");
        vendors.forEach((name, ok) -> v.put(name, ok ? "configured" : "unconfigured"));
        ObjectNode p = checks.putObject("personas");
        p.put("status", personaError == null ? "UP" : "DEGRADED");
        p.put("file", personas.file().toString());
        p.put("count", personas.current().all().size());
        if (personaError != null) {
            p.put("error", personaError);
        }
        checks.putObject("calls").put("active", activeCalls.getAsInt());
        body.putPOJO("unconfigured", List.copyOf(vendors.entrySet().stream().filter(e -> !e.getValue())
                                                         .map(Map.Entry::getKey).sorted().toList()));
        res.status(agentCanRun ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        try {
            res.send(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
