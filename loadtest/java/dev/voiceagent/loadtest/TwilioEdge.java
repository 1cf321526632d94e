package dev.voiceagent.loadtest;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * What Twilio does before the media socket opens: POST the signed voice webhook and read the
 * {@code <Connect><Stream>} TwiML. Signing is implemented here from Twilio's documented algorithm rather than
 * borrowed from the server, so a load run also checks the server against an independent implementation.
 */
public final class TwilioEdge {

    private static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Looking up a parser factory costs more than parsing a TwiML answer, so there is one; it is configured once
     * here and only ever asked for new builders, under a lock because the JAXP contract does not promise that
     * concurrent calls are safe.
     */
    private static final DocumentBuilderFactory XML = secureFactory();

    private final HttpClient http;
    private final URI server;
    private final String publicBaseUrl;
    private final String authToken;

    /**
     * @param server        where the server really listens, {@code http://127.0.0.1:PORT}
     * @param publicBaseUrl the server's {@code PUBLIC_BASE_URL}: the URL Twilio signs
     * @param authToken     the server's {@code TWILIO_AUTH_TOKEN}
     */
    public TwilioEdge(HttpClient http, URI server, String publicBaseUrl, String authToken) {
        this.http = http;
        this.server = server;
        this.publicBaseUrl = publicBaseUrl;
        this.authToken = authToken;
    }

    /** The stream URL and {@code <Parameter>}s of the TwiML answer. */
    public record StreamTwiml(String url, Map<String, String> parameters) {
    }

    /** Posts the voice webhook for a new inbound call, as Twilio signs it, and parses the answer. */
    public StreamTwiml answer(String callSid, String accountSid, String from, String to) throws Exception {
        return parse(webhook(callSid, accountSid, from, to), "Stream");
    }

    /**
     * Like {@link #answer} for a ConversationRelay persona: the {@code <ConversationRelay url>} and its
     * {@code <Parameter>}s.
     */
    public StreamTwiml answerRelay(String callSid, String accountSid, String from, String to) throws Exception {
        return parse(webhook(callSid, accountSid, from, to), "ConversationRelay");
    }

    private String webhook(String callSid, String accountSid, String from, String to) throws Exception {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("CallSid", callSid);
        form.put("AccountSid", accountSid);
        form.put("From", from);
        form.put("To", to);
        form.put("CallStatus", "ringing");
        form.put("ApiVersion", "2010-04-01");
        form.put("Direction", "inbound");
        HttpRequest request = HttpRequest.newBuilder(server.resolve("/twilio/voice"))
                .timeout(WEBHOOK_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", sign(authToken, publicBaseUrl + "/twilio/voice", form))
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("webhook answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The media socket on the real server: the TwiML URL's path on {@code ws://127.0.0.1:PORT}. */
    public URI mediaUri(StreamTwiml twiml) {
        return URI.create("ws://" + server.getRawAuthority() + URI.create(twiml.url()).getRawPath());
    }

    /** {@code X-Twilio-Signature} for the socket handshake: the TwiML URL signed with no parameters. */
    public String handshakeSignature(StreamTwiml twiml) {
        return sign(authToken, twiml.url(), Map.of());
    }

    /**
     * Twilio's request signature: HMAC-SHA1, keyed with the auth token, over the URL followed by every POST
     * parameter's name and value sorted by name; base64.
     */
    public static String sign(String authToken, String url, Map<String, String> params) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }

    /** Reads {@code <Response><Connect><Stream url=…><Parameter name=… value=…/>}. */
    static StreamTwiml parse(String xml) throws Exception {
        return parse(xml, "Stream");
    }

    /** Reads the {@code url} and {@code <Parameter>}s of the one {@code <element>} (Stream or ConversationRelay). */
    static StreamTwiml parse(String xml, String element) throws Exception {
        DocumentBuilder builder;
        synchronized (XML) {
            builder = XML.newDocumentBuilder();
        }
        NodeList streams = builder.parse(new InputSource(new StringReader(xml))).getElementsByTagName(element);
        if (streams.getLength() != 1) {
            throw new IllegalStateException("TwiML without exactly one <" + element + ">: " + xml);
        }
        Element stream = (Element) streams.item(0);
        Map<String, String> params = new LinkedHashMap<>();
        NodeList list = stream.getElementsByTagName("Parameter");
        for (int i = 0; i < list.getLength(); i++) {
            Element p = (Element) list.item(i);
            params.put(p.getAttribute("name"), p.getAttribute("value"));
        }
        return new StreamTwiml(stream.getAttribute("url"), Map.copyOf(params));
    }

    private static DocumentBuilderFactory secureFactory() {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        try {
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser supports disallow-doctype-decl", e);
        }
        return factory;
    }

    private static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
