package dev.voiceagent.tools.builtin;

import java.util.Optional;

import dev.voiceagent.crm.Contact;
import dev.voiceagent.crm.ContactCrm;
import dev.voiceagent.store.CallerHistory;
import dev.voiceagent.tools.ToolContext;

/**
 * The caller as a CRM contact, found or created with the same upsert (phone number as the key, source
 * {@value #SOURCE}) the after-call push uses, so a caller who books and then hangs up has one contact, not two.
 */
final class CallerContact {

    /** The contact source the after-call push gives too ({@code crm.DeliveryWorker}). */
    static final String SOURCE = "voice agent";

    private CallerContact() {
    }

    /** The caller's number, when it tells callers apart (not withheld, not a web-phone call). */
    static Optional<String> number(ToolContext context) {
        return context.caller().map(String::strip).filter(CallerHistory::recognisable);
    }

    /** Upserts the caller's contact and returns its id (one request; blocking). */
    static String upsert(ContactCrm crm, String number, String name) {
        return crm.upsertContact(new Contact(number, Optional.of(name).filter(n -> !n.isBlank()), SOURCE));
    }
}
