package dev.voiceagent.tools.builtin;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.voiceagent.crm.GoHighLevelClient;
import dev.voiceagent.tools.ToolKit;
import dev.voiceagent.twilio.TwilioRestCalls;
import dev.voiceagent.twilio.WhisperTokens;

/**
 * The built-in tools as a server without GoHighLevel or Twilio credentials registers them ({@link BuiltinMakers}),
 * for tests that load the shipped personas file (its receptionist declares built-ins). Nothing is called: the
 * clients point at a closed port.
 */
public final class ShippedTools {

    private ShippedTools() {
    }

    /** The tool kit with {@code env} as the environment. */
    public static ToolKit kit(Map<String, String> env) {
        GoHighLevelClient ghl = new GoHighLevelClient(URI.create("http://127.0.0.1:9"), "", "",
                                                      Duration.ofSeconds(1), Duration.ofSeconds(2));
        TwilioRestCalls twilio = new TwilioRestCalls(URI.create("http://127.0.0.1:9"), "", "", Duration.ofSeconds(1));
        BuiltinToolFactory factory = new BuiltinToolFactory(
                ghl, ghl, twilio, twilio, new WhisperTokens(new byte[32], Duration.ofMinutes(5), Clock.systemUTC()),
                Optional.empty(), BuiltinToolSettings.defaults(), Clock.systemUTC());
        return new ToolKit(BuiltinMakers.of(factory, BuiltinToolSettings.defaults(), name -> Optional.ofNullable(env.get(name))),
                           name -> Optional.ofNullable(env.get(name)), Clock.systemUTC());
    }

    /** The tool kit with an empty environment. */
    public static ToolKit kit() {
        return kit(Map.of());
    }
}
