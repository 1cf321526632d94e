package dev.voiceagent.observe;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

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
 * Health for operators and platforms.
 * <ul>
 *   <li>{@code GET /observe/health}: the full report (vendors configured, personas valid, calls in
 *       progress, draining, how the edge is protected) with {@code live} and {@code ready}; 200 when ready, 503 when not.</li>
 *   <li>{@code GET /observe/health/live}: 200 while the process serves requests (a platform restarts it
 *       otherwise).</li>
 *   <li>{@code GET /observe/health/ready}: 200 when new calls can be answered: Workers AI is configured
 *       and the server is not draining for shutdown; 503 otherwise.</li>
 * </ul>
 * A rejected personas edit shows as DEGRADED but stays ready: the last good personas still serve calls.
 * So does a database outage: calls go on and their records wait in memory until it is back.
 */
public final class HealthService implements HttpService {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Boolean> vendors;
    private final PersonaCatalog personas;
    private final IntSupplier activeCalls;
    private final boolean agentCanRun;
    private final BooleanSupplier draining;
    private final Supplier<StorageCheck> storage;
    private final Map<String, String> security;

    /**
     * @param vendors     vendor name to whether its credentials are configured
     * @param agentCanRun whether calls can be answered at all (speech vendors present)
     * @param draining    whether the server is shutting down and takes no new calls
     * @param storage     the database and what waits for it
     */
    public HealthService(Map<String, Boolean> vendors, PersonaCatalog personas, IntSupplier activeCalls,
                         boolean agentCanRun, BooleanSupplier draining, Supplier<StorageCheck> storage) {
        this(vendors, personas, activeCalls, agentCanRun, draining, storage, Map.of());
    }

    /**
     * @param security how the edge is protected, shown as the report's {@code security} object (for example
     *                 {@code twilioSignatures: ON}); never a secret
     */
    public HealthService(Map<String, Boolean> vendors, PersonaCatalog personas, IntSupplier activeCalls,
                         boolean agentCanRun, BooleanSupplier draining, Supplier<StorageCheck> storage,
                         Map<String, String> security) {
        this.security = Map.copyOf(security);
        this.storage = storage;
        this.vendors = Map.copyOf(vendors);
        this.personas = personas;
        this.activeCalls = activeCalls;
        this.agentCanRun = agentCanRun;
        this.draining = draining;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health)
                .get("/health/live", (req, res) -> {
                    res.headers().contentType(MediaTypes.APPLICATION_JSON);
                    res.send("{\"status\":\"UP\"}");
                })
                .get("/health/ready", (req, res) -> {
                    res.status(ready() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
                    res.headers().contentType(MediaTypes.APPLICATION_JSON);
                    res.send(ready() ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
                });
    }

    private boolean ready() {
        return agentCanRun && !draining.getAsBoolean();
    }

    private void health(ServerRequest req, ServerResponse res) {
        ObjectNode body = JSON.createObjectNode();
        String personaError = personas.lastError().orElse(null);
        StorageCheck store = storage.get();
        String status = !ready() ? "DOWN" : personaError != null || !store.up() ? "DEGRADED" : "UP";
        body.put("status", status);
        body.put("live", true);
        body.put("ready", ready());
        body.put("draining", draining.getAsBoolean());
        ObjectNode sec = body.putObject("security");
        security.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sec.put(e.getKey(), e.getValue()));
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
        ObjectNode st = checks.putObject("storage");
        st.put("status", store.up() ? "UP" : "DEGRADED");
        store.details().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> st.putPOJO(e.getKey(), e.getValue()));
        body.putPOJO("unconfigured", List.copyOf(vendors.entrySet().stream().filter(e -> !e.getValue())
                                                         .map(Map.Entry::getKey).sorted().toList()));
        res.status(ready() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        try {
            res.send(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
