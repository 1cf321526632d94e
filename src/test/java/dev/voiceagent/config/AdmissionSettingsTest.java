package dev.voiceagent.config;

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
 * The call cap comes from calls.maxConcurrentCalls or MAX_CONCURRENT_CALLS, else from the measured capacity per core;
 * the overflow number must be E.164.
 */
class AdmissionSettingsTest {

    private static final String DEV = "off-for-local-development";

    @Test
    void theCapComesFromYamlAndTheEnvironmentOverridesIt() {
        Config yaml = Config.just(ConfigSources.create(Map.of("calls.maxConcurrentCalls", "40")));
        assertThat(Settings.load(yaml, Map.of("TWILIO_SIGNATURE_CHECKS", DEV)).admission().maxConcurrentCalls(), is(40));
        assertThat(Settings.load(yaml, Map.of("TWILIO_SIGNATURE_CHECKS", DEV, "MAX_CONCURRENT_CALLS", "7"))
                           .admission().maxConcurrentCalls(), is(7));
    }

    @Test
    void withoutASettingTheCapIsTheMeasuredPerCoreCapacityWithAMarginTimesTheCores() {
        int perCore = (int) (Settings.Admission.CALLS_PER_CORE_MEASURED * Settings.Admission.CORE_MARGIN);
        assertThat(perCore < Settings.Admission.CALLS_PER_CORE_MEASURED, is(true));
        assertThat(Settings.Admission.defaultMaxConcurrentCalls(1), is(perCore));
        assertThat(Settings.Admission.defaultMaxConcurrentCalls(4), is(4 * perCore));
        assertThat(Settings.Admission.defaultMaxConcurrentCalls(0), is(perCore));
        assertThat(Settings.load(Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV)).admission().maxConcurrentCalls(),
                   is(perCore * Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void aCapBelowOneOrNotANumberIsRefused() {
        for (String bad : new String[] {"0", "-3", "lots", "1.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.load(
                    Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV, "MAX_CONCURRENT_CALLS", bad)));
            assertThat(e.getMessage(), containsString("MAX_CONCURRENT_CALLS"));
            assertThat(e.getMessage(), containsString(bad));
        }
    }

    @Test
    void theOverflowNumberMustBeE164() {
        assertThat(Settings.load(Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV, "OVERFLOW_NUMBER", "+15550100002"))
                           .admission().overflowNumber(), is(Optional.of("+15550100002")));
        for (String bad : new String[] {"15550100002", "+1 555 010 0002", "+0555", "sip:desk@example.com"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.load(
                    Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", DEV, "OVERFLOW_NUMBER", bad)));
            assertThat(e.getMessage(), containsString("OVERFLOW_NUMBER must be an E.164"));
        }
    }
}
