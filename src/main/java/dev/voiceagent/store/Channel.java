package dev.voiceagent.store;

import java.util.Optional;

/**
 * How the caller reached the agent, stored with each call ({@code calls.channel}). Both run the same call loop over
 * the same Media Streams protocol; they differ in how the socket is admitted and in what is known of the caller.
 */
public enum Channel {

    /** A phone call through Twilio: the caller's and the dialed number are known. */
    PHONE("phone"),
    /** The console's web phone: a browser tab, with no phone number on either side. */
    WEB("web");

    private final String sql;

    Channel(String sql) {
        this.sql = sql;
    }

    /** The stored (and shown) form. */
    public String sql() {
        return sql;
    }

    /** The channel stored as {@code text}, if it is one. */
    public static Optional<Channel> parse(String text) {
        for (Channel c : values()) {
            if (c.sql.equals(text)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
