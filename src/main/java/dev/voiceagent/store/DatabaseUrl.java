package dev.voiceagent.store;

import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the PostgreSQL database is and how to log in, parsed from {@code DATABASE_URL}. Accepts
 * <ul>
 *   <li>{@code postgres://user:password@host:port/database} and {@code postgresql://...} (Railway, Heroku):
 *       user and password are percent-decoded;</li>
 *   <li>{@code jdbc:postgresql://host:port/database?user=...&password=...}.</li>
 * </ul>
 * Any other query parameters (e.g. {@code sslmode=require}) are passed through to the JDBC URL unchanged.
 * {@link #jdbcUrl()} never carries the user or the password (they are taken out of it, so a JDBC URL quoted in
 * a pool or driver error reveals no secret), and neither {@link #toString()} nor a parse error message ever
 * contains the password.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host[:port]/database[?other parameters]}
 * @param username the user to log in as
 * @param password the password, empty when there is none (e.g. trust authentication)
 */
public record DatabaseUrl(String jdbcUrl, String username, String password) {

    private static final String JDBC_PREFIX = "jdbc:postgresql://";
    private static final String EXPECTED = "expected postgres://user:password@host:port/database or "
            + "jdbc:postgresql://host:port/database?user=...&password=...";

    public DatabaseUrl {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /**
     * Parses a {@code DATABASE_URL}.
     *
     * @throws IllegalArgumentException when it is not one of the accepted forms; the message says what is
     *                                  wrong without quoting the URL
     */
    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw invalid("it is empty");
        }
        String s = url.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        String rest;
        boolean jdbc;
        if (lower.startsWith(JDBC_PREFIX)) {
            rest = s.substring(JDBC_PREFIX.length());
            jdbc = true;
        } else if (lower.startsWith("postgres://")) {
            rest = s.substring("postgres://".length());
            jdbc = false;
        } else if (lower.startsWith("postgresql://")) {
            rest = s.substring("postgresql://".length());
            jdbc = false;
        } else {
            int colon = s.indexOf(':');
            String scheme = colon > 0 && colon < 20 && s.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")
                    ? "'" + s.substring(0, colon) + "'" : "none";
            throw invalid("unsupported scheme " + scheme);
        }
        if (rest.chars().anyMatch(Character::isWhitespace)) {
            throw invalid("it contains whitespace");
        }
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        int question = rest.indexOf('?');
        String main = question < 0 ? rest : rest.substring(0, question);
        String query = question < 0 ? "" : rest.substring(question + 1);

        // The last '@' ends the user info, so an unencoded '@' or '/' in a password still parses.
        String user = null;
        String password = null;
        int at = main.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = main.substring(0, at);
            main = main.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user name");
            password = colon < 0 ? null : percentDecode(userInfo.substring(colon + 1), "password");
        }
        int slash = main.indexOf('/');
        String hosts = slash < 0 ? main : main.substring(0, slash);
        String database = slash < 0 ? "" : main.substring(slash + 1);
        checkHosts(hosts);
        if (database.isEmpty() || database.contains("/")) {
            throw invalid("it names no database (the path after host:port)");
        }

        List<String> kept = new ArrayList<>();
        for (String param : query.split("&")) {
            if (param.isEmpty()) {
                continue;
            }
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? "" : param.substring(eq + 1);
            // pgjdbc decodes query values as form data ('+' is a space), so the same is done here.
            switch (name) {
                case "user" -> user = user == null || jdbc ? formDecode(value, "user name") : user;
                case "password" -> password = password == null || jdbc ? formDecode(value, "password") : password;
                default -> kept.add(param);
            }
        }
        if (user == null || user.isEmpty()) {
            throw invalid("it has no user name");
        }
        String jdbcUrl = JDBC_PREFIX + hosts + "/" + database + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new DatabaseUrl(jdbcUrl, user, password == null ? "" : password);
    }

    /** The JDBC URL with the values of password-like parameters (e.g. {@code sslpassword}) hidden. */
    public String redactedJdbcUrl() {
        int question = jdbcUrl.indexOf('?');
        if (question < 0) {
            return jdbcUrl;
        }
        List<String> params = new ArrayList<>();
        for (String param : jdbcUrl.substring(question + 1).split("&")) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            params.add(name.toLowerCase(Locale.ROOT).contains("password") ? name + "=***" : param);
        }
        return jdbcUrl.substring(0, question + 1) + String.join("&", params);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[jdbcUrl=" + redactedJdbcUrl() + ", username=" + username
                + ", password=" + (password.isEmpty() ? "(none)" : "***") + "]";
    }

    private static void checkHosts(String hosts) {
        if (hosts.isEmpty()) {
            throw invalid("it names no host");
        }
        // pgjdbc accepts several comma-separated hosts (failover); each is host, host:port or [v6]:port.
        for (String hostPort : hosts.split(",", -1)) {
            String host = hostPort;
            String port = null;
            if (hostPort.startsWith("[")) {
                int close = hostPort.indexOf(']');
                if (close < 0) {
                    throw invalid("an IPv6 host is missing its ']'");
                }
                host = hostPort.substring(0, close + 1);
                String after = hostPort.substring(close + 1);
                if (!after.isEmpty()) {
                    if (!after.startsWith(":")) {
                        throw invalid("unexpected text after an IPv6 host");
                    }
                    port = after.substring(1);
                }
            } else {
                int colon = hostPort.lastIndexOf(':');
                if (colon >= 0) {
                    host = hostPort.substring(0, colon);
                    port = hostPort.substring(colon + 1);
                }
            }
            if (host.isEmpty() || host.equals("[]") || !host.matches("[\\[\\]A-Za-z0-9._%:-]+")) {
                throw invalid("a host name is empty or has characters a host name cannot have");
            }
            if (port != null && !validPort(port)) {
                throw invalid("the port is not a number from 1 to 65535");
            }
        }
    }

    private static boolean validPort(String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int p = Integer.parseInt(port);
        return p >= 1 && p <= 65535;
    }

    /** RFC 3986 percent-decoding: unlike form decoding, '+' stays a '+'. */
    private static String percentDecode(String s, String what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw invalid("the " + what + " has a broken %-escape");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw invalid("the " + what + " has a broken %-escape");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.writeBytes(bytes);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String formDecode(String s, String what) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // The exception's own message quotes the offending text, which may be the password.
            throw invalid("the " + what + " has a broken %-escape");
        }
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("DATABASE_URL is not a usable PostgreSQL URL: " + why + "; " + EXPECTED);
    }
}
