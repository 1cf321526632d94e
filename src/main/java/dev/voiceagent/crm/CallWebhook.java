package dev.voiceagent.crm;

/**
 * Posts a finished call's record (JSON) to the operator's webhook ({@code CRM_WEBHOOK_URL}), e.g. a
 * GoHighLevel workflow's Inbound Webhook trigger. Failures are {@link dev.voiceagent.vendor.VendorException}s.
 */
public interface CallWebhook {

    /** Sends {@code json}; {@code callSid} identifies the call so a receiver can drop a repeated delivery. */
    void post(String callSid, String json);
}
