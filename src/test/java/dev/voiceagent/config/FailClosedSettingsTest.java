package dev.voiceagent.config;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Twilio signature checks fail closed: on unless explicitly turned off for local development, and on needs
 * the auth token and the public URL Twilio signs (PUBLIC_BASE_URL, else Railway's RAILWAY_PUBLIC_DOMAIN).
 */
class FailClosedSettingsTest {

    @Test
    void withoutTheTokenOrTheDevelopmentSettingTheServerRefusesToStartAndSaysWhatToSet() {
        IllegalArgumentException e = refused(Map.of());
        assertThat(e.getMessage(), containsString("TWILIO_AUTH_TOKEN"));
        assertThat(e.getMessage(), containsString("TWILIO_SIGNATURE_CHECKS=off-for-local-development"));
    }

    @Test
    void onlyTheExactDevelopmentValueTurnsTheChecksOff() {
        for (String value : new String[] {"off", "false", "0", "OFF-FOR-LOCAL-DEVELOPMENT", "on"}) {
            IllegalArgumentException e = refused(Map.of("TWILIO_SIGNATURE_CHECKS", value));
            assertThat(e.getMessage(), containsString("TWILIO_SIGNATURE_CHECKS accepts only 'off-for-local-development'"));
        }
        assertThat(load(Map.of("TWILIO_SIGNATURE_CHECKS", "off-for-local-development")).security().twilioSignatures(),
                   is(Settings.TwilioSignatures.OFF_FOR_LOCAL_DEVELOPMENT));
    }

    @Test
    void theDevelopmentSettingIsHonouredEvenWithAToken() {
        Settings s = load(Map.of("TWILIO_AUTH_TOKEN", "tok", "TWILIO_SIGNATURE_CHECKS", "off-for-local-development"));
        assertThat(s.security().twilioSignatures(), is(Settings.TwilioSignatures.OFF_FOR_LOCAL_DEVELOPMENT));
    }

    @Test
    void aTokenWithoutAnyPublicUrlRefusesToStartNamingBothVariables() {
        IllegalArgumentException e = refused(Map.of("TWILIO_AUTH_TOKEN", "tok"));
        assertThat(e.getMessage(), containsString("PUBLIC_BASE_URL"));
        assertThat(e.getMessage(), containsString("RAILWAY_PUBLIC_DOMAIN"));
    }

    @Test
    void railwaysPublicDomainBecomesAnHttpsPublicUrl() {
        Settings s = load(Map.of("TWILIO_AUTH_TOKEN", "tok", "RAILWAY_PUBLIC_DOMAIN", "agent-production.up.railway.app"));
        assertThat(s.security().twilioSignatures(), is(Settings.TwilioSignatures.ON));
        assertThat(s.publicBaseUrl(), is(Optional.of(URI.create("https://agent-production.up.railway.app"))));
    }

    @Test
    void publicBaseUrlWinsOverRailwaysDomain() {
        Settings s = load(Map.of("TWILIO_AUTH_TOKEN", "tok", "PUBLIC_BASE_URL", "https://calls.example.com/",
                                 "RAILWAY_PUBLIC_DOMAIN", "agent-production.up.railway.app"));
        assertThat(s.publicBaseUrl(), is(Optional.of(URI.create("https://calls.example.com"))));
    }

    @Test
    void aRailwayDomainThatIsNotAHostNameIsRefused() {
        IllegalArgumentException e = refused(Map.of("TWILIO_AUTH_TOKEN", "tok", "RAILWAY_PUBLIC_DOMAIN", "bad host/x"));
        assertThat(e.getMessage(), containsString("RAILWAY_PUBLIC_DOMAIN"));
    }

    @Test
    void theTokenNeverAppearsInTheSettingsText() {
        Settings s = load(Map.of("TWILIO_AUTH_TOKEN", "tok-secret-value", "PUBLIC_BASE_URL", "https://calls.example.com"));
        assertThat(s.toString().contains("tok-secret-value"), is(false));
        assertThat(s.toString(), containsString("twilioSignatures=ON"));
    }

    private static Settings load(Map<String, String> env) {
        return Settings.load(Config.empty(), new HashMap<>(env));
    }

    private static IllegalArgumentException refused(Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> load(env));
    }
}
