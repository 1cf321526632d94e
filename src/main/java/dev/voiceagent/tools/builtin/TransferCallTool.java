package dev.voiceagent.tools.builtin;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.Redact;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSpec;
import dev.voiceagent.twilio.CallControl;
import dev.voiceagent.twilio.TwiML;
import dev.voiceagent.twilio.WhisperRoute;
import dev.voiceagent.twilio.WhisperTokens;

/**
 * {@code transfer_call}: hands the caller to a person at {@code to} (an E.164 number or a {@code sip:} address).
 * Running it only returns a {@link ToolOutcome.Transfer}; the call loop says the handoff line and then runs the
 * handoff, which replaces the live call's TwiML through Twilio REST (Update a Call, {@code Twiml=}):
 * <pre>
 * cold: &lt;Response&gt;&lt;Dial callerId="{dialed}"&gt;&lt;Number&gt;+15550109999&lt;/Number&gt;&lt;/Dial&gt;&lt;Say&gt;{unanswered}&lt;/Say&gt;&lt;/Response&gt;
 * warm: … &lt;Number url="{public}/twilio/whisper?t={sealed summary}" method="POST"&gt;+15550109999&lt;/Number&gt; …
 * </pre>
 * ({@code <Sip>} instead of {@code <Number>} for a SIP address, without a callerId). The media stream ends as a
 * consequence. A warm transfer's summary travels sealed in the whisper URL ({@link WhisperTokens}), so whichever
 * instance Twilio's whisper request reaches can say it; without a public base URL there is no URL Twilio could
 * fetch, and the transfer is made cold (logged). The callerId is our dialed number: a number this account may use,
 * which the person answering recognises as the business line; the whisper says who is calling. A web-phone call
 * (no Twilio call) cannot be transferred ({@code UNAVAILABLE}). Stateless; the handoff blocks for one REST request.
 */
public final class TransferCallTool implements Tool {

    /** What the caller hears if nobody answers the transfer, before Twilio ends the call. */
    public static final String UNANSWERED = "Sorry, nobody could take your call right now. Please call again later."
                                            + " Goodbye.";
    private static final Logger LOG = Logger.getLogger(TransferCallTool.class.getName());
    private static final ToolSpec SPEC = new ToolSpec("transfer_call",
            "Transfer the caller to a person at the front desk when they ask for a person or you cannot help."
            + " Tell the caller you are transferring them.",
            Schemas.parse("""
                    {"type":"object","properties":{
                      "reason":{"type":"string","description":"Why the caller is being transferred, a few words"}
                    },"additionalProperties":false}"""));

    /** Cold: the person gets the caller with no briefing; warm: a one-sentence summary is whispered first. */
    public enum Mode { COLD, WARM }

    private final CallControl calls;
    private final WhisperTokens whispers;
    private final Optional<URI> publicBaseUrl;
    private final String to;
    private final Mode mode;

    /**
     * @param publicBaseUrl the origin Twilio reaches this server at (for the whisper URL); empty makes warm cold
     * @param to            an E.164 number or a {@code sip:} address, already checked by {@code BuiltinTool}
     */
    public TransferCallTool(CallControl calls, WhisperTokens whispers, Optional<URI> publicBaseUrl, String to,
                            Mode mode) {
        this.calls = Objects.requireNonNull(calls, "calls");
        this.whispers = Objects.requireNonNull(whispers, "whispers");
        this.publicBaseUrl = Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        this.to = Objects.requireNonNull(to, "to").strip();
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolOutcome run(JsonNode arguments, ToolContext context) {
        if (context.dialed().isEmpty() || !context.callSid().matches("CA[0-9a-fA-F]{32}")) {
            return new ToolOutcome.Failed(ToolFailure.UNAVAILABLE,
                    "this call is not a phone call, so it cannot be transferred; offer to take a message instead");
        }
        boolean warm = mode == Mode.WARM && publicBaseUrl.isPresent();
        if (mode == Mode.WARM && !warm) {
            LOG.warning("transfer_call: warm transfer made cold: no public base URL for the whisper");
        }
        String callSid = context.callSid();
        String callerId = sip() ? "" : context.dialed().get();
        return new ToolOutcome.Transfer(summary -> {
            String whisperUrl = warm ? whisperUrl(summary) : "";
            new CallLog(callSid).info("transferring the call", "to", Redact.digits(to), "mode", warm ? "warm" : "cold");
            calls.redirect(callSid, TwiML.dial(to, callerId, whisperUrl, UNANSWERED));
        }, warm, to);
    }

    private boolean sip() {
        return to.regionMatches(true, 0, "sip:", 0, 4);
    }

    private String whisperUrl(String summary) {
        String base = publicBaseUrl.orElseThrow().toString();
        String origin = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return origin + WhisperRoute.PATH + "?t="
               + URLEncoder.encode(whispers.seal(summary == null ? "" : summary), StandardCharsets.UTF_8);
    }
}
