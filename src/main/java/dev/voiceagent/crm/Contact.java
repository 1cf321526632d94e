package dev.voiceagent.crm;

import java.util.Optional;

/**
 * The caller as a CRM contact.
 *
 * @param phone  E.164 number the call came from: the key the contact is found by
 * @param name   full name, when the call revealed it
 * @param source where the contact came from, shown in the CRM
 */
public record Contact(String phone, Optional<String> name, String source) {
}
