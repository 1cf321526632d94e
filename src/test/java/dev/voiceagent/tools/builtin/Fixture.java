package dev.voiceagent.tools.builtin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.crm.GoHighLevelClient;
import dev.voiceagent.fakes.FakeGoHighLevel;
import dev.voiceagent.tools.ToolContext;

/** What the built-in tool tests share: a fixed "now", the persona's zone, a call's context and the GoHighLevel fake. */
final class Fixture {

    static final String TOKEN = "pit-0123456789-secret";
    static final String LOCATION = "ve9EPM428h8vShlRW1KT";
    static final String CALENDAR = "ocQHyuzHvysMo5N5VsXc";
    static final String CALL_SID = "CAfedcba9876543210fedcba9876543210";
    static final String CALLER = "+15557654321";
    static final String DIALED = "+15550100001";
    static final ZoneId ZONE = ZoneId.of("America/Chicago");
    /** Monday 2 March 2026, 9:00 AM in Chicago (CST, -06:00). */
    static final Instant NOW = Instant.parse("2026-03-02T15:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** Generous: the first request of a JVM on a loaded machine can take seconds. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** For the timeout tests, against a fake that takes {@link #SLOW}. */
    static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);
    static final Duration SLOW = Duration.ofSeconds(3);
    static final BuiltinToolSettings SETTINGS = new BuiltinToolSettings(REQUEST_TIMEOUT, Duration.ofSeconds(2),
                                                                        Duration.ofMinutes(30), 14, 6, 480,
                                                                        Duration.ofMinutes(5));
    static final ObjectMapper JSON = new ObjectMapper();

    private Fixture() {
    }

    /** A phone call from {@link #CALLER} to {@link #DIALED}. */
    static ToolContext phoneCall() {
        return new ToolContext(CALL_SID, Optional.of(CALLER), Optional.of(DIALED), "receptionist", ZONE);
    }

    /** A web-phone call: no caller number, no dialed number. */
    static ToolContext webPhoneCall() {
        return new ToolContext("web-3f1c2a", Optional.empty(), Optional.empty(), "receptionist", ZONE);
    }

    /** A call whose caller withheld their number. */
    static ToolContext withheldCaller() {
        return new ToolContext(CALL_SID, Optional.of("anonymous"), Optional.of(DIALED), "receptionist", ZONE);
    }

    /** Chicago local time on 2026-03-{day} (CST, -06:00, until daylight saving time starts on the 8th). */
    static OffsetDateTime chicago(int day, int hour, int minute) {
        return java.time.ZonedDateTime.of(2026, 3, day, hour, minute, 0, 0, ZONE).toOffsetDateTime();
    }

    /** A query string as a map (the client may send the parameters in any order). */
    static java.util.Map<String, String> query(String raw) {
        java.util.Map<String, String> query = new java.util.TreeMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            query.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1),
                                                                         java.nio.charset.StandardCharsets.UTF_8));
        }
        return query;
    }

    static FakeGoHighLevel ghl() {
        FakeGoHighLevel ghl = new FakeGoHighLevel(TOKEN, LOCATION);
        ghl.locationZone(ZONE);
        return ghl;
    }

    /** The in-call client, as Main builds it for the tools. */
    static GoHighLevelClient client(FakeGoHighLevel ghl) {
        return new GoHighLevelClient(ghl.baseUri(), TOKEN, LOCATION, REQUEST_TIMEOUT, SETTINGS.maxRateLimitWait());
    }

    /** The in-call client with {@link #SHORT_TIMEOUT}. */
    static GoHighLevelClient impatientClient(FakeGoHighLevel ghl) {
        return new GoHighLevelClient(ghl.baseUri(), TOKEN, LOCATION, SHORT_TIMEOUT, SETTINGS.maxRateLimitWait());
    }

    static JsonNode args(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
