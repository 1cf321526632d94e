package dev.voiceagent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** Environment variables override application.yaml, which overrides defaults; secrets never print. */
class SettingsTest {

    @Test
    void defaultsWithAnEmptyEnvironment() {
        Settings s = Settings.load(Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", "off-for-local-development"));
        assertThat(s.port(), is(8080));
        assertThat(s.cloudflare().apiBase(), is(URI.create("https://api.cloudflare.com/client/v4")));
        assertThat(s.cloudflare().configured(), is(false));
        assertThat(s.personasFile(), is(Path.of("config/personas.yaml")));
        assertThat(s.calls().playoutLead(), is(Duration.ofMillis(300)));
        assertThat(s.unconfiguredVendors().size(), is(4));
        assertThat(s.admission().maxConcurrentCalls(),
                   is(Settings.Admission.defaultMaxConcurrentCalls(Runtime.getRuntime().availableProcessors())));
        assertThat(s.admission().overflowNumber().isPresent(), is(false));
    }

    @Test
    void environmentOverridesYaml() {
        Config yaml = Config.just(ConfigSources.create(Map.of("port", "9000", "calls.playoutLeadMs", "120",
                                                              "cloudflare.sttModel", "@cf/openai/whisper")));
        Settings s = Settings.load(yaml, Map.of("PORT", "7000",
                                                "CLOUDFLARE_ACCOUNT_ID", "acc",
                                                "CLOUDFLARE_API_TOKEN", "tok-secret-value",
                                                "CLOUDFLARE_API_BASE_URL", "http://127.0.0.1:9/client/v4/",
                                                "PERSONAS_FILE", "/tmp/p.yaml",
                                                "TWILIO_SIGNATURE_CHECKS", "off-for-local-development"));
        assertThat(s.port(), is(7000));
        assertThat(s.calls().playoutLead(), is(Duration.ofMillis(120)));
        assertThat(s.cloudflare().sttModel(), is("@cf/openai/whisper"));
        assertThat(s.cloudflare().apiBase(), is(URI.create("http://127.0.0.1:9/client/v4")));
        assertThat(s.cloudflare().configured(), is(true));
        assertThat(s.personasFile(), is(Path.of("/tmp/p.yaml")));
        assertThat(s.unconfiguredVendors(), not(hasItem(containsString("cloudflare"))));
        assertThat(s.toString(), not(containsString("tok-secret-value")));
    }

    @Test
    void aMalformedBaseUrlIsRefusedWithItsValue() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Settings.load(Config.empty(), Map.of("ELEVENLABS_API_BASE_URL", "not a url",
                                                           "TWILIO_SIGNATURE_CHECKS", "off-for-local-development")));
        assertThat(e.getMessage(), containsString("not a url"));
    }

    @Test
    void theReadersRestIsAtMostTheShortestPauseWait() {
        Settings d = Settings.load(Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", "off-for-local-development"));
        assertThat(d.calls().readerRest(), is(Duration.ofMillis(100)));
        Config yaml = Config.just(ConfigSources.create(Map.of("calls.readerRestMs", "500")));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Settings.load(yaml, Map.of("TWILIO_SIGNATURE_CHECKS", "off-for-local-development")));
        assertThat(e.getMessage(), containsString("calls.readerRestMs must be from 0 to 200 (ms), not 500"));
    }

    @Test
    void theWakeTickIsTenMillisecondsByDefaultAndAtMostFifty() {
        Settings d = Settings.load(Config.empty(), Map.of("TWILIO_SIGNATURE_CHECKS", "off-for-local-development"));
        assertThat(d.calls().wakeTick(), is(Duration.ofMillis(10)));
        for (String bad : new String[] {"0", "51"}) {
            Config yaml = Config.just(ConfigSources.create(Map.of("calls.wakeTickMs", bad)));
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Settings.load(yaml, Map.of("TWILIO_SIGNATURE_CHECKS", "off-for-local-development")));
            assertThat(e.getMessage(), containsString("calls.wakeTickMs must be from 1 to 50 (ms), not " + bad));
        }
    }
}
