package dev.voiceagent.call;

/**
 * Why a call ended: stored with the call, tagged in metrics ({@link #tag()}) and turned into the CRM outcome.
 */
public enum EndReason {
    /** Twilio sent {@code stop}: the caller hung up (or Twilio ended the call). */
    CALLER_HUNG_UP("caller_hung_up", "caller hung up"),
    /** The agent said goodbye and hung up ({@code [END_CALL]}, or after repeated silence). */
    AGENT_HUNG_UP("agent_hung_up", "agent hung up"),
    /** A tool handed the caller to a person ({@code transfer_call}): the call left the agent on purpose. */
    TRANSFERRED("transferred", "transferred to a person"),
    /** The persona's time limit was reached. */
    TIME_LIMIT("time_limit", "time limit"),
    /** The socket closed without {@code stop}, or a send failed. */
    SOCKET_CLOSED("socket_closed", "socket closed"),
    /** No media from Twilio for the inbound-silence limit: the connection is dead. */
    MEDIA_TIMEOUT("media_timeout", "no media from Twilio"),
    /** The server is shutting down and the drain time is over. */
    SERVER_SHUTDOWN("server_shutdown", "server shutting down"),
    /** The socket never became a valid call (no or bad {@code start}). */
    REJECTED("rejected", "rejected"),
    /** The call thread was interrupted. */
    INTERRUPTED("interrupted", "interrupted"),
    /** An unexpected error in the call. */
    ERROR("error", "error");

    private final String tag;
    private final String text;

    EndReason(String tag, String text) {
        this.tag = tag;
        this.text = text;
    }

    /** The metric tag, e.g. {@code caller_hung_up}. */
    public String tag() {
        return tag;
    }

    /** The words stored as the call's end reason, e.g. {@code caller hung up}. */
    public String text() {
        return text;
    }

    /**
     * The reason a stored end-reason text names. Rows written before this enum existed carry details after the
     * words ({@code socket closed: close 1000}, {@code no media from Twilio for 5 s}); those still parse.
     */
    public static java.util.Optional<EndReason> parse(String stored) {
        if (stored == null) {
            return java.util.Optional.empty();
        }
        for (EndReason r : values()) {
            if (stored.equals(r.text) || stored.startsWith(r.text + ":") || stored.startsWith(r.text + " ")) {
                return java.util.Optional.of(r);
            }
        }
        return java.util.Optional.empty();
    }
}
