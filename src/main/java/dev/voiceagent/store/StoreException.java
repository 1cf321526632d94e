package dev.voiceagent.store;

/** The database could not be reached or refused a statement. Callers that must not fail retry later. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
