package dev.voiceagent.console;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The console's sign-in cookie: signed with a key derived from ADMIN_API_KEY, expiring, tamper-evident. */
class SessionCookieTest {

    private static final String KEY = "admin-key-for-tests";
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private static SessionCookie at(Instant now) {
        return new SessionCookie(KEY, Duration.ofHours(12), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void anIssuedCookieIsValidOnAnyInstanceWithTheSameKey() {
        String value = at(T0).issue();
        assertThat(at(T0).valid(value), is(true));
        // another instance, or this one after a restart: a new object with the same key
        assertThat(new SessionCookie(KEY, Duration.ofHours(1), Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))
                           .valid(value), is(true));
    }

    @Test
    void itExpiresAfterItsLifetimeWhichIsSignedIntoIt() {
        String value = at(T0).issue();
        assertThat(at(T0.plus(Duration.ofHours(12)).minusSeconds(1)).valid(value), is(true));
        assertThat(at(T0.plus(Duration.ofHours(12))).valid(value), is(false));
        assertThat(at(T0.plus(Duration.ofDays(3))).valid(value), is(false));
    }

    @Test
    void aTamperedExpiryOrSignatureIsRefused() {
        String value = at(T0).issue();
        String[] parts = value.split("\\.");
        long later = Long.parseLong(parts[1]) + 86_400;
        assertThat(at(T0).valid(parts[0] + "." + later + "." + parts[2]), is(false));
        char last = parts[2].charAt(parts[2].length() - 1);
        String otherMac = parts[2].substring(0, parts[2].length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThat(at(T0).valid(parts[0] + "." + parts[1] + "." + otherMac), is(false));
        assertThat(at(T0).valid("v2." + parts[1] + "." + parts[2]), is(false));
    }

    @Test
    void aCookieSignedWithAnotherKeyIsRefused() {
        String value = new SessionCookie("another-key", Duration.ofHours(12), Clock.fixed(T0, ZoneOffset.UTC)).issue();
        assertThat(at(T0).valid(value), is(false));
    }

    @Test
    void garbageIsRefusedWithoutAnError() {
        for (String value : new String[] {null, "", ".", "v1", "v1..", "v1.abc.def", "x".repeat(5000),
                                          "v1.99999999999999999999999." + "A".repeat(43)}) {
            assertThat(String.valueOf(value), at(T0).valid(value), is(false));
        }
    }

    @Test
    void theSetCookieHeaderIsHttpOnlyStrictAndSecureOnlyOverHttps() {
        String plain = at(T0).setCookieHeader(false);
        assertThat(plain, containsString("va_console=v1."));
        assertThat(plain, containsString("; HttpOnly"));
        assertThat(plain, containsString("; SameSite=Strict"));
        assertThat(plain, containsString("; Path=/"));
        assertThat(plain, containsString("; Max-Age=43200"));
        assertThat(plain, not(containsString("Secure")));
        assertThat(at(T0).setCookieHeader(true), containsString("; Secure"));
        String cleared = SessionCookie.clearCookieHeader(true);
        assertThat(cleared, containsString("va_console=;"));
        assertThat(cleared, containsString("Max-Age=0"));
        assertThat(cleared, containsString("; Secure"));
    }

    @Test
    void theCookieIsFoundAmongOthersInTheCookieHeader() {
        assertThat(SessionCookie.values(List.of("a=1; va_console=v1.2.xyz; b=2")), is(List.of("v1.2.xyz")));
        assertThat(SessionCookie.values(List.of("a=1", "va_console=\"q\"")), is(List.of("q")));
        assertThat(SessionCookie.values(List.of("xva_console=1")), is(List.of()));
    }

    @Test
    void aRequestCameOverHttpsWhenTlsOrAProxyOrThePublicHttpsHostSaysSo() {
        ConsoleAccess access = new ConsoleAccess(Optional.of(KEY), Optional.of(URI.create("https://agent.example.com")),
                                                 Clock.systemUTC());
        assertThat(access.overHttps(true, headers()), is(true));
        assertThat(access.overHttps(false, headers("X-Forwarded-Proto", "https")), is(true));
        assertThat(access.overHttps(false, headers("X-Forwarded-Proto", "https, http")), is(true));
        assertThat(access.overHttps(false, headers("Forwarded", "for=203.0.113.7;proto=https")), is(true));
        assertThat(access.overHttps(false, headers("Host", "agent.example.com")), is(true));
        assertThat(access.overHttps(false, headers("Host", "127.0.0.1:8080")), is(false));
        assertThat(access.overHttps(false, headers("X-Forwarded-Proto", "http")), is(false));
        ConsoleAccess plainOrigin = new ConsoleAccess(Optional.of(KEY), Optional.of(URI.create("http://localhost:8080")),
                                                      Clock.systemUTC());
        assertThat(plainOrigin.overHttps(false, headers("Host", "localhost:8080")), is(false));
    }

    @Test
    void theGateAcceptsOnlyAValidCookieWhenTheKeyIsSet() {
        ConsoleAccess access = new ConsoleAccess(Optional.of(KEY), Optional.empty(), Clock.systemUTC());
        String good = new SessionCookie(KEY, Duration.ofHours(12), Clock.systemUTC()).issue();
        assertThat(access.allowsCookies(List.of("va_console=" + good)), is(true));
        assertThat(access.allowsCookies(List.of("va_console=stale; va_console=" + good)), is(true));
        assertThat(access.allowsCookies(List.of("va_console=" + good.substring(1))), is(false));
        assertThat(access.allowsCookies(List.of()), is(false));
        assertThat(access.keyMatches(KEY), is(true));
        assertThat(access.keyMatches(KEY + " "), is(false));
        assertThat(access.keyMatches(""), is(false));
        // a loopback peer does not replace the cookie when a key is set
        assertThat(access.allows(new java.net.InetSocketAddress("127.0.0.1", 5000), headers()), is(false));
    }

    @Test
    void withoutAKeyOnlyDirectLoopbackRequestsPass() {
        ConsoleAccess access = new ConsoleAccess(Optional.empty(), Optional.empty(), Clock.systemUTC());
        assertThat(access.keyConfigured(), is(false));
        assertThat(access.allows(new java.net.InetSocketAddress("127.0.0.1", 5000), headers()), is(true));
        assertThat(access.allows(new java.net.InetSocketAddress("127.0.0.1", 5000),
                                 headers("X-Forwarded-For", "203.0.113.7")), is(false));
        assertThat(access.allows(new java.net.InetSocketAddress("203.0.113.7", 5000), headers()), is(false));
        assertThat(access.allows(null, headers()), is(false));
        assertThat(access.keyMatches(""), is(false));
    }

    private static WritableHeaders<?> headers(String... nameValues) {
        WritableHeaders<?> h = WritableHeaders.create();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(HeaderNames.create(nameValues[i]), nameValues[i + 1]);
        }
        return h;
    }
}
