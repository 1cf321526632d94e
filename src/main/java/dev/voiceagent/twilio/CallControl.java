package dev.voiceagent.twilio;

/** Controls a live phone call through the carrier (Twilio REST). Blocking, bounded by the implementation's timeout. */
@FunctionalInterface
public interface CallControl {

    /**
     * Ends an in-progress call ({@code Status=completed}).
     *
     * @throws dev.voiceagent.vendor.VendorException when Twilio refuses or cannot be reached
     */
    void hangUp(String callSid);

    /**
     * Replaces the TwiML an in-progress call is executing, at once ({@code Twiml=…}): used to transfer the caller
     * with {@code <Dial>}. The call's media stream ends as a consequence. Every URL inside {@code twiml} must be
     * absolute.
     *
     * @param twiml a complete {@code <Response>} document
     * @throws dev.voiceagent.vendor.VendorException when Twilio refuses or cannot be reached; by default (a call
     *         control that can only hang up, such as a test's lambda) always, as {@code UNCONFIGURED}
     */
    default void redirect(String callSid, String twiml) {
        throw new dev.voiceagent.vendor.VendorException("twilio", dev.voiceagent.vendor.VendorException.Kind.UNCONFIGURED,
                                                        0, "this call control cannot redirect calls");
    }

    /** A call control for a server without Twilio credentials: every operation fails as unconfigured. */
    static CallControl unconfigured() {
        return callSid -> {
            throw new dev.voiceagent.vendor.VendorException("twilio",
                    dev.voiceagent.vendor.VendorException.Kind.UNCONFIGURED, 0, "twilio is not configured");
        };
    }
}
