package dev.voiceagent.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Several instances: the heartbeat and the dead-instance deadline come from instances.* or INSTANCE_*_MS, default to
 * 10 s and 40 s, and a deadline shorter than three heartbeats is refused; the stream token secret comes from the
 * environment only.
 */
class InstanceSettingsTest {

    private static final String DEV = "off-for-local-development";

    @Test
    void defaultsDeliverAKilledInstancesCallsWithinAboutAMinute() {
        Settings.Instances instances = Settings.load(Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV)).instances();
        assertThat(instances, is(new Settings.Instances(Duration.ofSeconds(10), Duration.ofSeconds(40))));
        assertThat(instances.deadAfter().plus(instances.heartbeat()).compareTo(Duration.ofMinutes(1)) < 0, is(true));
    }

    @Test
    void yamlSetsTheIntervalsAndTheEnvironmentOverridesIt() {
        Config yaml = Config.just(ConfigSources.create(Map.of("instances.heartbeatMs", "2000",
                                                              "instances.deadAfterMs", "9000")));
        assertThat(Settings.load(yaml, Map.of("TWILIO_SIGNATURE_CHECKS", DEV)).instances(),
                   is(new Settings.Instances(Duration.ofSeconds(2), Duration.ofSeconds(9))));
        assertThat(Settings.load(yaml, Map.of("TWILIO_SIGNATURE_CHECKS", DEV, "INSTANCE_HEARTBEAT_MS", "500",
                                              "INSTANCE_DEAD_AFTER_MS", "1500")).instances(),
                   is(new Settings.Instances(Duration.ofMillis(500), Duration.ofMillis(1500))));
    }

    @Test
    void aDeadlineOfFewerThanThreeHeartbeatsOrABadNumberIsRefused() {
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class, () -> Settings.load(
                Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV, "INSTANCE_DEAD_AFTER_MS", "25000")));
        assertThat(tooShort.getMessage(), containsString("at least three heartbeats"));
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class, () -> Settings.load(
                Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV, "INSTANCE_HEARTBEAT_MS", "10s")));
        assertThat(notANumber.getMessage(), containsString("INSTANCE_HEARTBEAT_MS"));
        IllegalArgumentException tooFast = assertThrows(IllegalArgumentException.class, () -> Settings.load(
                Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV, "INSTANCE_HEARTBEAT_MS", "10")));
        assertThat(tooFast.getMessage(), containsString("at least 100"));
    }

    @Test
    void theStreamTokenSecretComesFromTheEnvironmentAndIsNeverPrinted() {
        Settings settings = Settings.load(Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV,
                                                                 "STREAM_TOKEN_SECRET", "s3cret-shared-by-all"));
        assertThat(settings.security().streamTokenSecret(), is(Optional.of("s3cret-shared-by-all")));
        assertThat(settings.toString().contains("s3cret"), is(false));
        assertThat(Settings.load(Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV)).security().streamTokenSecret(),
                   is(Optional.empty()));
    }
}
