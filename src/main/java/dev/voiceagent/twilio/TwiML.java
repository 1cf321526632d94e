package dev.voiceagent.twilio;

import java.util.Map;

import dev.voiceagent.persona.RelaySettings;

/** The TwiML documents this server answers Twilio's voice webhook with. */
public final class TwiML {

    private TwiML() {
    }

    /**
     * {@code <Connect><Stream>}: Twilio opens a bidirectional Media Stream to {@code wssUrl}. Twilio strips
     * query strings from the stream URL, so per-call data travels as {@code <Parameter>}s and arrives in
     * the {@code start} message's {@code customParameters}.
     */
    public static String connectStream(String wssUrl, Map<String, String> parameters) {
        StringBuilder xml = new StringBuilder(256)
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .append("<Response><Connect><Stream url=\"").append(escape(wssUrl)).append("\">");
        parameters.forEach((name, value) -> xml.append("<Parameter name=\"").append(escape(name))
                .append("\" value=\"").append(escape(value)).append("\"/>"));
        return xml.append("</Stream></Connect></Response>").toString();
    }

    /**
     * {@code <Connect action><ConversationRelay>}: Twilio listens, detects turns and speaks with the given
     * settings, and exchanges text with {@code wssUrl}. Per-call data travels as {@code <Parameter>}s and arrives
     * in the {@code setup} message's {@code customParameters}. Keys are sent with {@code dtmfDetection="true"}.
     * When the session ends Twilio posts its outcome to {@code actionUrl}. Empty settings are left out (Twilio's
     * defaults apply).
     */
    public static String connectRelay(String actionUrl, String wssUrl, String welcomeGreeting,
                                      RelaySettings relay, Map<String, String> parameters) {
        StringBuilder xml = new StringBuilder(512)
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .append("<Response><Connect action=\"").append(escape(actionUrl)).append("\">")
                .append("<ConversationRelay");
        attribute(xml, "url", wssUrl);
        attribute(xml, "welcomeGreeting", welcomeGreeting);
        attribute(xml, "ttsProvider", relay.ttsProvider());
        attribute(xml, "voice", relay.voice());
        attribute(xml, "transcriptionProvider", relay.transcriptionProvider());
        attribute(xml, "speechModel", relay.speechModel());
        attribute(xml, "language", relay.language());
        attribute(xml, "interruptible", relay.interruptible().text());
        attribute(xml, "dtmfDetection", "true");
        attribute(xml, "hints", String.join(",", relay.hints()));
        xml.append(">");
        parameters.forEach((name, value) -> xml.append("<Parameter name=\"").append(escape(name))
                .append("\" value=\"").append(escape(value)).append("\"/>"));
        return xml.append("</ConversationRelay></Connect></Response>").toString();
    }

    private static void attribute(StringBuilder xml, String name, String value) {
        if (!value.isEmpty()) {
            xml.append(' ').append(name).append("=\"").append(escape(value)).append('"');
        }
    }

    /** Speaks a short message with Twilio's own voice, then hangs up: used when the agent cannot run. */
    public static String sayAndHangUp(String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>" + escape(message)
                + "</Say><Hangup/></Response>";
    }

    /**
     * Speaks a short message, then forwards the call to {@code number} (E.164) with {@code <Dial>}: used when
     * this instance is at its call cap and an overflow number is configured.
     */
    public static String sayAndDial(String message, String number) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>" + escape(message) + "</Say><Dial>"
                + escape(number) + "</Dial></Response>";
    }

    /**
     * Transfers the call: {@code <Dial>} to a phone number ({@code <Number>}) or a SIP address ({@code <Sip>}). With a
     * {@code whisperUrl} the person who answers first hears the TwiML there (the warm transfer's summary) before the
     * parties are connected. {@code callerId} (our number) is what the person sees; empty leaves Twilio's default,
     * the caller's own number. Without an {@code action}, a {@code <Dial>} nobody answers falls through to
     * {@code unanswered}, spoken to the caller before Twilio ends the call.
     *
     * @param target     an E.164 number or a {@code sip:} address
     * @param whisperUrl absolute URL (inline TwiML updates require it), or empty for a cold transfer
     */
    public static String dial(String target, String callerId, String whisperUrl, String unanswered) {
        boolean sip = target.regionMatches(true, 0, "sip:", 0, 4);
        String noun = sip ? "Sip" : "Number";
        StringBuilder xml = new StringBuilder(256)
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial");
        attribute(xml, "callerId", callerId);
        xml.append("><").append(noun);
        attribute(xml, "url", whisperUrl);
        if (!whisperUrl.isEmpty()) {
            attribute(xml, "method", "POST");
        }
        xml.append('>').append(escape(target)).append("</").append(noun).append("></Dial>");
        if (!unanswered.isEmpty()) {
            xml.append("<Say>").append(escape(unanswered)).append("</Say>");
        }
        return xml.append("</Response>").toString();
    }

    /** Speaks {@code message} and nothing else: the whisper a person hears before a warm transfer connects. */
    public static String say(String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>" + escape(message) + "</Say></Response>";
    }

    /** An empty response, the documented answer to status callbacks. */
    public static String empty() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
            case '&' -> out.append("&amp;");
            case '<' -> out.append("&lt;");
            case '>' -> out.append("&gt;");
            case '"' -> out.append("&quot;");
            case '\'' -> out.append("&apos;");
            default -> out.append(c);
            }
        }
        return out.toString();
    }
}
