package dev.voiceagent.edge;

import java.net.InetSocketAddress;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Local means a loopback peer and no proxy header: a same-host tunnel forwards requests from anywhere. */
class LocalRequestsTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 50000);
    private static final InetSocketAddress LOOPBACK_V6 = new InetSocketAddress("::1", 50000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("203.0.113.7", 50000);

    @Test
    void aDirectLoopbackRequestIsLocal() {
        assertThat(LocalRequests.isLocal(LOOPBACK, headers()), is(true));
        assertThat(LocalRequests.isLocal(LOOPBACK_V6, headers("Accept", "application/json")), is(true));
    }

    @Test
    void aRequestFromAnotherAddressIsNotLocal() {
        assertThat(LocalRequests.isLocal(REMOTE, headers()), is(false));
    }

    @Test
    void anyProxyHeaderMakesALoopbackRequestRemote() {
        for (String name : new String[] {"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
                                         "x-forwarded-port", "X-Real-IP", "Via", "CF-Connecting-IP", "True-Client-IP"}) {
            assertThat(name, LocalRequests.isLocal(LOOPBACK, headers(name, "203.0.113.7")), is(false));
            assertThat(LocalRequests.proxyHeader(headers(name, "x")).isPresent(), is(true));
        }
    }

    private static WritableHeaders<?> headers(String... nameValues) {
        WritableHeaders<?> headers = WritableHeaders.create();
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.add(HeaderNames.create(nameValues[i]), nameValues[i + 1]);
        }
        return headers;
    }
}
