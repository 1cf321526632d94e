package dev.voiceagent.tools.builtin;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

import dev.voiceagent.observe.Redact;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.vendor.VendorException;

/**
 * How a built-in tool calls a vendor during a call: a request refused for its rate limit (429, or the client's own
 * hold) is tried again once after the wait the vendor asked for, but only while the waits add up to at most
 * {@code maxWait} (a caller is listening); anything else is not retried (a booking must not be made twice).
 * Failures become the {@link ToolOutcome.Failed} the model talks around. Immutable; blocks on the request and on
 * the bounded wait.
 */
final class VendorCalls {

    private static final Logger LOG = Logger.getLogger(VendorCalls.class.getName());

    private final Duration maxWait;

    VendorCalls(Duration maxWait) {
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    }

    /**
     * Runs {@code request}, retrying a rate-limited one once within the wait budget.
     *
     * @throws VendorException      when it still fails
     * @throws InterruptedException when the call ends meanwhile (also when a client saw the interrupt)
     */
    <T> T call(Supplier<T> request) throws InterruptedException {
        Duration waited = Duration.ZERO;
        for (int attempt = 1; ; attempt++) {
            try {
                return request.get();
            } catch (VendorException e) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("the call ended during a tool request");
                }
                Optional<Duration> wait = e.retryAfter();
                boolean retry = attempt == 1 && e.kind() == VendorException.Kind.RATE_LIMITED && wait.isPresent()
                                && waited.plus(wait.get()).compareTo(maxWait) <= 0;
                if (!retry) {
                    throw e;
                }
                Thread.sleep(wait.get());
                waited = waited.plus(wait.get());
            }
        }
    }

    /**
     * The outcome a vendor failure comes to, in words the model can pass on.
     *
     * @param service what the caller would call it, e.g. "the booking system"
     */
    static ToolOutcome.Failed failed(VendorException e, String service) {
        LOG.warning("tool request failed: " + Redact.phoneNumbers(e.getMessage())); // Twilio errors may quote the number
        return switch (e.kind()) {
            case TIMEOUT -> new ToolOutcome.Failed(ToolFailure.TIMED_OUT,
                    service + " did not answer in time; try again in a moment or offer to have someone call back");
            case UNCONFIGURED -> new ToolOutcome.Failed(ToolFailure.UNAVAILABLE, service + " is not set up");
            case RATE_LIMITED -> new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR,
                    service + " is busy right now; try again in a moment or offer to have someone call back");
            case UNAUTHORIZED -> new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR,
                    service + " refused the request (its access is not set up right); offer to have someone call back");
            default -> new ToolOutcome.Failed(ToolFailure.VENDOR_ERROR,
                    service + " is having a problem right now; offer to have someone call back");
        };
    }
}
