package dev.voiceagent.edge;

import java.net.InetSocketAddress;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The web phone's stand-in gate until the console session is wired: loopback only without an admin key; with one,
 * the key as the {@code va_session} cookie, from anywhere.
 */
class PhoneAccessTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 50000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("203.0.113.7", 50000);

    @Test
    void withoutAKeyOnlyDirectLoopbackRequestsAreAllowed() {
        PhoneAccess access = PhoneAccess.loopbackOrAdminKeyCookie(Optional.empty());
        assertThat(access.allows(LOOPBACK, headers()), is(true));
        assertThat(access.allows(REMOTE, headers()), is(false));
        assertThat("through a same-host tunnel", access.allows(LOOPBACK, headers("X-Forwarded-For", "203.0.113.7")),
                   is(false));
        assertThat("no cookie opens it from afar", access.allows(REMOTE, headers("Cookie", "va_session=anything")),
                   is(false));
    }

    @Test
    void withAKeyTheSessionCookieMustCarryIt() {
        PhoneAccess access = PhoneAccess.loopbackOrAdminKeyCookie(Optional.of("s3cret"));
        assertThat(access.allows(REMOTE, headers("Cookie", "va_session=s3cret")), is(true));
        assertThat(access.allows(REMOTE, headers("Cookie", "theme=dark; va_session=s3cret; lang=en")), is(true));
        assertThat(access.allows(REMOTE, headers("Cookie", "va_session=\"s3cret\"")), is(true));
        assertThat(access.allows(REMOTE, headers("Cookie", "va_session=s3cre")), is(false));
        assertThat(access.allows(REMOTE, headers("Cookie", "xva_session=s3cret")), is(false));
        assertThat(access.allows(REMOTE, headers("Cookie", "va_session")), is(false));
        assertThat("loopback is not enough once a key is set", access.allows(LOOPBACK, headers()), is(false));
    }

    @Test
    void cookiesAreReadByExactName() {
        assertThat(PhoneAccess.cookie(headers("Cookie", "a=1; b = 2 "), "b"), is(Optional.of("2")));
        assertThat(PhoneAccess.cookie(headers("Cookie", "a=1"), "b"), is(Optional.empty()));
        assertThat(PhoneAccess.cookie(headers(), "a"), is(Optional.empty()));
    }

    private static WritableHeaders<?> headers(String... nameValues) {
        WritableHeaders<?> headers = WritableHeaders.create();
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.add(HeaderNames.create(nameValues[i]), nameValues[i + 1]);
        }
        return headers;
    }
}
