package dev.voiceagent.stt;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.voiceagent.vendor.CloudflareAccount;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The socket URL is the REST base with a WebSocket scheme, the model's run path and the model's parameters. */
class StreamingUrlTest {

    private static final CloudflareAccount PUBLIC =
            new CloudflareAccount(CloudflareAccount.DEFAULT_API_BASE, "acc123", "token");

    @Test
    void httpsBaseBecomesWssWithTheSamePathPrefix() {
        URI uri = StreamingUrl.of(URI.create("https://api.cloudflare.com/client/v4"), "/accounts/a/ai/run/@cf/x/y",
                Map.of());

        assertThat(uri.toString(), is("wss://api.cloudflare.com/client/v4/accounts/a/ai/run/@cf/x/y"));
    }

    @Test
    void httpBaseBecomesWsAndKeepsThePort() {
        URI uri = StreamingUrl.of(URI.create("http://127.0.0.1:40123"), "/accounts/a/ai/run/@cf/x/y", Map.of());

        assertThat(uri.toString(), is("ws://127.0.0.1:40123/accounts/a/ai/run/@cf/x/y"));
    }

    @Test
    void queryValuesAreEncodedInOrder() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("language", "en US");
        query.put("keyterm", "a&b");

        URI uri = StreamingUrl.of(URI.create("https://h"), "/p", query);

        assertThat(uri.getRawQuery(), is("language=en%20US&keyterm=a%26b"));
    }

    @Test
    void otherSchemesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> StreamingUrl.of(URI.create("ftp://h/client/v4"), "/p", Map.of()));
    }

    @Test
    void nova3UrlIsTheDocumentedTelephonyUrl() {
        WorkersAiNova3 nova = new WorkersAiNova3(PUBLIC, "en", Duration.ofMillis(300), Duration.ofMillis(1000),
                Duration.ofSeconds(2));

        assertThat(nova.uri().toString(), is("wss://api.cloudflare.com/client/v4/accounts/acc123/ai/run/@cf/deepgram/nova-3"
                + "?encoding=mulaw&sample_rate=8000&channels=1&language=en&interim_results=true&endpointing=300"
                + "&utterance_end_ms=1000&vad_events=true&smart_format=true&punctuate=true"));
    }

    @Test
    void fluxUrlHasLinear16AndTheEndOfTurnParametersAndNoNovaParameters() {
        WorkersAiFlux flux = new WorkersAiFlux(PUBLIC, 0.7, 0.5, Duration.ofMillis(5000), Duration.ofSeconds(2));

        assertThat(flux.uri().toString(), is("wss://api.cloudflare.com/client/v4/accounts/acc123/ai/run/@cf/deepgram/flux"
                + "?encoding=linear16&sample_rate=8000&eot_threshold=0.7&eager_eot_threshold=0.5&eot_timeout_ms=5000"));
        assertThat(flux.plainUri().getRawQuery(), is("encoding=linear16&sample_rate=8000"));
    }

    @Test
    void fluxWithoutEagerThresholdLeavesItOut() {
        WorkersAiFlux flux = new WorkersAiFlux(PUBLIC, 0.8, Double.NaN, Duration.ofMillis(3000), Duration.ofSeconds(2));

        assertThat(flux.uri().getRawQuery(), is("encoding=linear16&sample_rate=8000&eot_threshold=0.8&eot_timeout_ms=3000"));
    }

    @Test
    void thresholdsOutsideTheSchemaAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new WorkersAiFlux(PUBLIC, 0.4, 0.3, Duration.ofMillis(5000), Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class,
                () -> new WorkersAiFlux(PUBLIC, 0.7, 0.8, Duration.ofMillis(5000), Duration.ofSeconds(2)));
    }
}
