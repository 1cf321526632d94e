package dev.voiceagent.twilio;

import java.util.Map;

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
