package dev.voiceagent.twilio;

/** Controls a live phone call through the carrier (Twilio REST). Blocking. */
public interface CallControl {

    /**
     * Ends an in-progress call ({@code Status=completed}).
     *
     * @throws dev.voiceagent.vendor.VendorException when Twilio refuses or cannot be reached
     */
    void hangUp(String callSid);
}
