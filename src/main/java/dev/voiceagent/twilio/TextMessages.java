package dev.voiceagent.twilio;

/** Sends text messages through the carrier (Twilio Messages). Blocking, bounded by the implementation's timeout. */
public interface TextMessages {

    /**
     * Queues one SMS.
     *
     * @param from our number (E.164), which must be able to send SMS
     * @param to   the recipient (E.164)
     * @param body the text, at most 1,600 characters
     * @return what Twilio answered
     * @throws dev.voiceagent.vendor.VendorException when Twilio refuses or cannot be reached
     */
    SentMessage send(String from, String to, String body);

    /**
     * A message Twilio accepted.
     *
     * @param sid    {@code SM…}
     * @param status its first status, normally {@code queued} (or {@code accepted} with a Messaging Service)
     */
    record SentMessage(String sid, String status) {
    }
}
