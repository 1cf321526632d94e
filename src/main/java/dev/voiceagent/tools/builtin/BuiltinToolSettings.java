package dev.voiceagent.tools.builtin;

import java.time.Duration;
import java.util.Objects;

import io.helidon.config.Config;

/**
 * Knobs of the built-in tools, from {@code application.yaml} ({@code voice-agent.tools.*}); vendor credentials
 * come from {@code config.Settings} (Twilio, GoHighLevel). Every value has a safe default.
 *
 * @param requestTimeout      bound on each vendor request a tool makes during a call (connect and each read)
 * @param maxRateLimitWait    most a tool waits, in all, for a vendor's rate limit ({@code Retry-After} or the
 *                            client's own hold) before giving up: a caller is listening
 * @param appointmentDuration length of a booked appointment
 * @param lookAheadDays       how many days ahead {@code check_availability} looks (1..31)
 * @param maxSlots            most free slots offered to the model at once (1..20)
 * @param smsMaxChars         longest text {@code send_sms} sends (1..1600); longer is refused, not cut
 * @param whisperLifetime     how long a warm transfer's whisper token opens
 */
public record BuiltinToolSettings(Duration requestTimeout,
                                  Duration maxRateLimitWait,
                                  Duration appointmentDuration,
                                  int lookAheadDays,
                                  int maxSlots,
                                  int smsMaxChars,
                                  Duration whisperLifetime) {

    public BuiltinToolSettings {
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(maxRateLimitWait, "maxRateLimitWait");
        Objects.requireNonNull(appointmentDuration, "appointmentDuration");
        Objects.requireNonNull(whisperLifetime, "whisperLifetime");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("tools.requestTimeoutMs must be positive");
        }
        if (maxRateLimitWait.isNegative() || maxRateLimitWait.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new IllegalArgumentException("tools.maxRateLimitWaitMs must be 0..5000: a caller is waiting");
        }
        if (appointmentDuration.toMinutes() < 5 || appointmentDuration.toHours() > 8) {
            throw new IllegalArgumentException("tools.appointmentMinutes must be 5..480");
        }
        if (lookAheadDays < 1 || lookAheadDays > 31) {
            throw new IllegalArgumentException("tools.lookAheadDays must be 1..31 (GoHighLevel's free-slots range)");
        }
        if (maxSlots < 1 || maxSlots > 20) {
            throw new IllegalArgumentException("tools.maxSlots must be 1..20");
        }
        if (smsMaxChars < 1 || smsMaxChars > 1600) {
            throw new IllegalArgumentException("tools.smsMaxChars must be 1..1600 (Twilio's limit)");
        }
    }

    /** The defaults: 4 s requests, 2 s of rate-limit waits, 30-minute appointments, 14 days, 6 slots, 480 chars. */
    public static BuiltinToolSettings defaults() {
        return new BuiltinToolSettings(Duration.ofSeconds(4), Duration.ofSeconds(2), Duration.ofMinutes(30), 14, 6,
                                       480, Duration.ofMinutes(5));
    }

    /** From the {@code voice-agent} node of application.yaml ({@code tools.*} keys; absent ones default). */
    public static BuiltinToolSettings load(Config yaml) {
        BuiltinToolSettings d = defaults();
        Config t = yaml.get("tools");
        return new BuiltinToolSettings(
                Duration.ofMillis(t.get("requestTimeoutMs").asLong().orElse(d.requestTimeout().toMillis())),
                Duration.ofMillis(t.get("maxRateLimitWaitMs").asLong().orElse(d.maxRateLimitWait().toMillis())),
                Duration.ofMinutes(t.get("appointmentMinutes").asLong().orElse(d.appointmentDuration().toMinutes())),
                t.get("lookAheadDays").asInt().orElse(d.lookAheadDays()),
                t.get("maxSlots").asInt().orElse(d.maxSlots()),
                t.get("smsMaxChars").asInt().orElse(d.smsMaxChars()),
                Duration.ofSeconds(t.get("whisperLifetimeSeconds").asLong().orElse(d.whisperLifetime().toSeconds())));
    }
}
