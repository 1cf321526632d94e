package dev.voiceagent.e2e;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** A browser-like client of the console over real HTTP: signs in by the form, then sends the session cookie. */
final class ConsoleClient {

    private final AgentHarness h;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    ConsoleClient(AgentHarness h) {
        this.h = h;
    }

    /** Posts the sign-in form with {@code key}, with an extra header when {@code header} is not null. */
    HttpResponse<String> signIn(String key, String... header) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(h.httpUri("/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("key=" + URLEncoder.encode(key, StandardCharsets.UTF_8)));
        if (header.length == 2) {
            req.header(header[0], header[1]);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Signs in with the harness's admin key and returns the {@code Cookie} header value to send. */
    String session() throws Exception {
        HttpResponse<String> res = signIn(AgentHarness.ADMIN_KEY);
        if (res.statusCode() != 303) {
            throw new AssertionError("sign-in answered " + res.statusCode() + ": " + res.body());
        }
        return res.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    }

    /** GET {@code path} with the {@code Cookie} header {@code cookie} (null: none) and optional extra header. */
    HttpResponse<String> get(String path, String cookie, String... header) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(h.httpUri(path)).GET();
        if (cookie != null) {
            req.header("Cookie", cookie);
        }
        if (header.length == 2) {
            req.header(header[0], header[1]);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpClient http() {
        return http;
    }
}
