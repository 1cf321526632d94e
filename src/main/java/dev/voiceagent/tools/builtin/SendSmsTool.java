package dev.voiceagent.tools.builtin;

import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.voiceagent.observe.CallLog;
import dev.voiceagent.observe.Redact;
import dev.voiceagent.tools.Tool;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.tools.ToolSpec;
import dev.voiceagent.twilio.TextMessages;
import dev.voiceagent.vendor.VendorException;

/**
 * {@code send_sms}: texts the caller through Twilio Messages, from the number they dialed, with the model's
 * {@code body} (1 to {@code smsMaxChars} characters; a longer one is refused, never cut, so nothing the model wrote
 * is silently lost). A call without a usable caller number, or without a dialed number (a web-phone call), cannot
 * text ({@code UNAVAILABLE}). One request (blocking, bounded); the caller's number is logged only redacted.
 * Stateless.
 */
public final class SendSmsTool implements Tool {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolSpec SPEC = new ToolSpec("send_sms",
            "Send the caller a text message, for example a booking confirmation, an address or a link. Tell the"
            + " caller you are sending it.",
            Schemas.parse("""
                    {"type":"object","properties":{
                      "body":{"type":"string","description":"The text to send, short and plain"}
                    },"required":["body"],"additionalProperties":false}"""));

    private final TextMessages messages;
    private final int maxChars;
    private final VendorCalls vendor;

    public SendSmsTool(TextMessages messages, BuiltinToolSettings settings) {
        this.messages = Objects.requireNonNull(messages, "messages");
        this.maxChars = settings.smsMaxChars();
        this.vendor = new VendorCalls(settings.maxRateLimitWait());
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolOutcome run(JsonNode arguments, ToolContext context) throws InterruptedException {
        String body = Times.text(arguments, "body");
        if (body.isEmpty()) {
            return new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS, "body is required: the text to send");
        }
        if (body.length() > maxChars) {
            return new ToolOutcome.Failed(ToolFailure.BAD_ARGUMENTS,
                    "the text is " + body.length() + " characters; keep it under " + maxChars);
        }
        Optional<String> to = CallerContact.number(context);
        if (to.isEmpty() || context.dialed().isEmpty()) {
            return new ToolOutcome.Failed(ToolFailure.UNAVAILABLE, to.isEmpty()
                    ? "the caller's phone number is unknown, so no text can be sent"
                    : "this call has no phone line to text from");
        }
        try {
            TextMessages.SentMessage sent = vendor.call(() -> messages.send(context.dialed().get(), to.get(), body));
            new CallLog(context.callSid()).info("text message sent", "to", Redact.digits(to.get()),
                                                "messageSid", sent.sid(), "status", sent.status());
            return new ToolOutcome.Result(JSON.createObjectNode().put("sent", true).put("status", sent.status()));
        } catch (VendorException e) {
            return VendorCalls.failed(e, "the text message service");
        }
    }
}
