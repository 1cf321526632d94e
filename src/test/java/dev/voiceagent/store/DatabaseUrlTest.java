package dev.voiceagent.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatabaseUrlTest {

    @Test
    void railwayUrl() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://postgres:s3cr%40t%2Fx@roundhouse.proxy.rlwy.net:41234/railway");
        assertThat(url.jdbcUrl(), is("jdbc:postgresql://roundhouse.proxy.rlwy.net:41234/railway"));
        assertThat(url.username(), is("postgres"));
        assertThat(url.password(), is("s3cr@t/x"));
    }

    @Test
    void postgresSchemeWithQueryParametersPassedThrough() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://app%2Buser:pa+ss@db.example.com:5432/voice?sslmode=require&connectTimeout=5");
        assertThat(url.jdbcUrl(), is("jdbc:postgresql://db.example.com:5432/voice?sslmode=require&connectTimeout=5"));
        assertThat(url.username(), is("app+user"));
        assertThat("'+' in user info is literal", url.password(), is("pa+ss"));
    }

    @Test
    void unencodedAtSignInPasswordStillParses() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://u:p@ss@h:5432/d");
        assertThat(url.password(), is("p@ss"));
        assertThat(url.jdbcUrl(), is("jdbc:postgresql://h:5432/d"));
    }

    @Test
    void noPortAndNoPassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://voice@localhost/voice");
        assertThat(url.jdbcUrl(), is("jdbc:postgresql://localhost/voice"));
        assertThat(url.username(), is("voice"));
        assertThat(url.password(), is(""));
    }

    @Test
    void jdbcUrlWithCredentialsInQuery() {
        DatabaseUrl url = DatabaseUrl.parse(
                "jdbc:postgresql://127.0.0.1:5433/voice?user=agent&password=a%26b%3Dc&ssl=true&ApplicationName=x");
        assertThat(url.jdbcUrl(), is("jdbc:postgresql://127.0.0.1:5433/voice?ssl=true&ApplicationName=x"));
        assertThat(url.username(), is("agent"));
        assertThat(url.password(), is("a&b=c"));
    }

    @Test
    void jdbcUrlWithUserOnly() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://localhost:5544/t_store?user=postgres");
        assertThat(url.jdbcUrl(), is("jdbc:postgresql://localhost:5544/t_store"));
        assertThat(url.username(), is("postgres"));
        assertThat(url.password(), is(""));
    }

    @Test
    void ipv6AndSeveralHosts() {
        assertThat(DatabaseUrl.parse("postgres://u:p@[::1]:5432/d").jdbcUrl(), is("jdbc:postgresql://[::1]:5432/d"));
        assertThat(DatabaseUrl.parse("jdbc:postgresql://a:5432,b:5433/d?user=u&targetServerType=primary").jdbcUrl(),
                   is("jdbc:postgresql://a:5432,b:5433/d?targetServerType=primary"));
    }

    @Test
    void toStringHidesPasswords() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://u:hunter2@h:5432/d?sslmode=require&sslpassword=keypass");
        assertThat(url.toString(), not(containsString("hunter2")));
        assertThat(url.toString(), not(containsString("keypass")));
        assertThat(url.toString(), containsString("jdbc:postgresql://h:5432/d?sslmode=require&sslpassword=***"));
        assertThat(url.toString(), containsString("username=u"));
        assertThat(url.redactedJdbcUrl(), not(containsString("keypass")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "mysql://u:hunter2@h:3306/d",
            "hunter2",
            "postgres://u:hunter2@h:5432",
            "postgres://u:hunter2@h:5432/",
            "postgres://u:hunter2@:5432/d",
            "postgres://u:hunter2@h:notaport/d",
            "postgres://u:hunter2@h:70000/d",
            "postgres://:hunter2@h:5432/d",
            "postgres://h:5432/d",
            "postgres://u:hunter2%zz@h:5432/d",
            "jdbc:postgresql://h:5432/d?user=u&password=hunter2%zz",
            "postgres://u:hunter2@h 1:5432/d",
            "postgres://u:hunter2@[::1:5432/d",
    })
    void garbageIsRejectedWithoutQuotingThePassword(String garbage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(garbage));
        assertThat(e.getMessage(), containsString("DATABASE_URL is not a usable PostgreSQL URL"));
        assertThat(e.getMessage(), not(containsString("hunter2")));
    }

    @Test
    void nullIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(null));
    }
}
