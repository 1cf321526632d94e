package dev.voiceagent.tools.builtin;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import dev.voiceagent.tools.BuiltinTool;
import dev.voiceagent.tools.BuiltinTools;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSpec;

/**
 * Registers the built-ins of {@link BuiltinToolFactory} for the personas' {@code tools:} ({@link BuiltinTools#of}),
 * adding two things the factory does not know:
 * <ul>
 *   <li><b>Calendar ids from the environment.</b> {@code calendarIdEnv: GHL_CALENDAR_ID} instead of
 *       {@code calendarId:} names a variable holding the id, so a shipped persona works once the variable is set. When
 *       it is not set the persona still loads and the tool tells the model the calendar is not set up (as the tools
 *       do without GoHighLevel credentials), and the server logs it once at load.</li>
 *   <li><b>How long the call loop waits for each.</b> A built-in makes up to {@value #CALENDAR_REQUESTS} requests
 *       (contact upsert, free slots, booking), each bounded by {@code tools.requestTimeoutMs}, plus at most
 *       {@code tools.maxRateLimitWaitMs} for a rate limit; that sum is the tool's timeout.</li>
 * </ul>
 */
public final class BuiltinMakers {

    static final int CALENDAR_REQUESTS = 3;

    private BuiltinMakers() {
    }

    /** Every built-in but {@code end_call} (the call loop's), made by {@code factory}. */
    public static BuiltinTools of(BuiltinToolFactory factory, BuiltinToolSettings settings,
                                  Function<String, Optional<String>> environment) {
        Map<BuiltinTool, Function<Map<String, String>, Tool>> makers = new EnumMap<>(BuiltinTool.class);
        for (BuiltinTool kind : BuiltinTool.values()) {
            if (kind == BuiltinTool.END_CALL) {
                continue;
            }
            int requests = switch (kind) {
                case CHECK_AVAILABILITY, TRANSFER_CALL, SEND_SMS -> 1;
                case BOOK_APPOINTMENT, CANCEL_APPOINTMENT -> CALENDAR_REQUESTS;
                case END_CALL -> 0;
            };
            Duration timeout = settings.requestTimeout().multipliedBy(requests).plus(settings.maxRateLimitWait());
            makers.put(kind, options -> make(factory, kind, options, environment, timeout));
        }
        return BuiltinTools.of(makers);
    }

    private static Tool make(BuiltinToolFactory factory, BuiltinTool kind, Map<String, String> options,
                             Function<String, Optional<String>> environment, Duration timeout) {
        String variable = options.getOrDefault("calendarIdEnv", "").strip();
        if (variable.isEmpty()) {
            return new Bounded(factory.create(kind, options), timeout, Optional.empty());
        }
        Map<String, String> resolved = new HashMap<>(options);
        resolved.remove("calendarIdEnv");
        Optional<String> id = environment.apply(variable).map(String::strip).filter(v -> !v.isEmpty());
        // Not set: made with a stand-in id for its spec, and never run against GoHighLevel.
        resolved.put("calendarId", id.orElse("unset"));
        Optional<String> unavailable = id.isPresent() ? Optional.empty()
                : Optional.of("The calendar is not set up on this line yet, so I cannot " + (kind == BuiltinTool.CHECK_AVAILABILITY
                        ? "check free times" : kind == BuiltinTool.BOOK_APPOINTMENT ? "book" : "look up appointments")
                        + " right now (" + variable + " is not set on the server).");
        return new Bounded(factory.create(kind, resolved), timeout, unavailable);
    }

    /**
     * A built-in with its timeout (the record's accessor is {@link Tool#timeout()}), or refusing to run while its
     * calendar is not configured.
     */
    private record Bounded(Tool tool, Duration timeout, Optional<String> unavailable) implements Tool {

        @Override
        public ToolSpec spec() {
            return tool.spec();
        }

        @Override
        public ToolOutcome run(JsonNode arguments, ToolContext context) throws InterruptedException {
            if (unavailable.isPresent()) {
                return new ToolOutcome.Failed(ToolFailure.UNAVAILABLE, unavailable.get());
            }
            return tool.run(arguments, context);
        }
    }
}
