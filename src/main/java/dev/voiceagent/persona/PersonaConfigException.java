package dev.voiceagent.persona;

/** The personas file cannot be used; the message names the file and every problem found. */
public final class PersonaConfigException extends RuntimeException {

    public PersonaConfigException(String message) {
        super(message);
    }

    public PersonaConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
