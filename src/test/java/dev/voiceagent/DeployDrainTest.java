package dev.voiceagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/**
 * Railway sends SIGKILL {@code drainingSeconds} after SIGTERM: that must leave room for the whole graceful
 * shutdown the shipped configuration allows (the drain, ending the rest, stopping HTTP, closing storage),
 * or the last calls' records are cut off by the kill.
 */
class DeployDrainTest {

    /** Time for the JVM to run its exit after the shutdown hook and flush logs. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

    @Test
    void railwaysDrainingSecondsCoverTheWorstCaseShutdown() throws IOException {
        Duration draining = Duration.ofSeconds(drainingSeconds(Files.readString(Path.of("railway.toml"))));
        Config yaml = Config.just(ConfigSources.file("config/application.yaml"));
        Duration drainTimeout = Duration.ofMillis(yaml.get("voice-agent.calls.drainTimeoutMs").asLong().get());
        Duration worst = Main.Agent.worstCaseShutdown(drainTimeout).plus(EXIT_MARGIN);
        assertThat("railway.toml drainingSeconds (s) vs calls.drainTimeoutMs + teardown bounds + exit margin (s)",
                   draining.toSeconds(), greaterThanOrEqualTo(worst.toSeconds()));
    }

    private static long drainingSeconds(String toml) {
        Matcher m = Pattern.compile("(?m)^\\s*drainingSeconds\\s*=\\s*(\\d+)\\s*(#.*)?$").matcher(toml);
        if (!m.find()) {
            throw new AssertionError("railway.toml has no drainingSeconds");
        }
        return Long.parseLong(m.group(1));
    }
}
