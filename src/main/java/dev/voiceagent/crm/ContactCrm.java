package dev.voiceagent.crm;

import java.util.List;

import dev.voiceagent.vendor.VendorException;

/**
 * The three CRM operations a finished call needs. Each is one HTTP request; failures are
 * {@link VendorException}s whose kind says whether a retry can help (and, for rate limits, when).
 */
public interface ContactCrm {

    /** Creates or updates the contact with this phone number; returns the contact's id. */
    String upsertContact(Contact contact);

    /** Adds a note to the contact; returns the note's id. Not idempotent: call it once per call. */
    String addNote(String contactId, String body);

    /** Adds tags to the contact without removing the ones it has. Idempotent. */
    void addTags(String contactId, List<String> tags);
}
