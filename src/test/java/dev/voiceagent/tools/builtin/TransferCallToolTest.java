package dev.voiceagent.tools.builtin;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import dev.voiceagent.fakes.FakeTwilioRest;
import dev.voiceagent.fakes.Fault;
import dev.voiceagent.tools.ToolFailure;
import dev.voiceagent.tools.ToolOutcome;
import dev.voiceagent.twilio.SignatureCheck;
import dev.voiceagent.twilio.TwilioRestCalls;
import dev.voiceagent.twilio.TwilioSignature;
import dev.voiceagent.twilio.WhisperRoute;
import dev.voiceagent.twilio.WhisperTokens;
import dev.voiceagent.vendor.VendorException;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

import static dev.voiceagent.tools.builtin.CheckAvailabilityToolTest.failure;
import static dev.voiceagent.tools.builtin.Fixture.CALL_SID;
import static dev.voiceagent.tools.builtin.Fixture.DIALED;
import static dev.voiceagent.tools.builtin.Fixture.args;
import static dev.voiceagent.tools.builtin.Fixture.phoneCall;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * transfer_call: the live call's TwiML is replaced with a {@code <Dial>} through Twilio REST; a warm transfer's
 * person first hears the summary from our signed whisper route.
 */
class TransferCallToolTest {

    private static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    private static final String AUTH_TOKEN = "twilio-auth-token-secret";
    private static final URI PUBLIC = URI.create("https://agent.example.com");
    private static final String DESK = "+15550109999";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakeTwilioRest twilio;
    private TwilioRestCalls calls;
    private WhisperTokens whispers;
    private WebServer server;

    @BeforeEach
    void start() {
        twilio = new FakeTwilioRest(ACCOUNT_SID, AUTH_TOKEN);
        calls = new TwilioRestCalls(twilio.baseUri(), ACCOUNT_SID, AUTH_TOKEN, Fixture.REQUEST_TIMEOUT);
        whispers = new WhisperTokens("shared-secret".getBytes(), Duration.ofMinutes(5), Clock.systemUTC());
        WhisperRoute route = new WhisperRoute(new SignatureCheck.Enforced(new TwilioSignature(AUTH_TOKEN), PUBLIC),
                                              whispers);
        server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.register(WhisperRoute.PATH, route)).build().start();
    }

    @AfterEach
    void stop() {
        server.stop();
        twilio.close();
    }

    @Test
    void aColdTransferDialsTheNumberFromTheDialedLine() throws Exception {
        ToolOutcome.Transfer transfer = transfer(tool(DESK, TransferCallTool.Mode.COLD).run(args("{}"), phoneCall()));

        transfer.handoff().complete("");

        assertThat(transfer.wantsSummary(), is(false));
        assertThat(transfer.target(), is(DESK));
        FakeTwilioRest.CallUpdate update = twilio.updates().getFirst();
        assertThat(update.callSid(), is(CALL_SID));
        assertThat(update.form().keySet(), is(java.util.Set.of("Twiml")));
        assertThat(update.form().get("Twiml"), is("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
                + "<Dial callerId=\"" + DIALED + "\"><Number>" + DESK + "</Number></Dial>"
                + "<Say>" + TransferCallTool.UNANSWERED + "</Say></Response>"));
    }

    @Test
    void aSipAddressIsDialedAsSipWithoutACallerId() throws Exception {
        ToolOutcome.Transfer transfer = transfer(tool("sip:desk@pbx.example.com", TransferCallTool.Mode.COLD)
                .run(args("{}"), phoneCall()));

        transfer.handoff().complete("");

        Element dial = element(twilio.updates().getFirst().form().get("Twiml"), "Dial");
        assertThat(dial.hasAttribute("callerId"), is(false));
        assertThat(dial.getElementsByTagName("Sip").item(0).getTextContent(), is("sip:desk@pbx.example.com"));
    }

    @Test
    void aWarmTransferWhispersTheSummaryToThePersonWhoAnswers() throws Exception {
        ToolOutcome.Transfer transfer = transfer(tool(DESK, TransferCallTool.Mode.WARM).run(args("{}"), phoneCall()));
        String summary = "Jane Doe <jane> wants to move Tuesday's cleaning & asks about \"whitening\".";

        transfer.handoff().complete(summary);

        assertThat(transfer.wantsSummary(), is(true));
        String twiml = twilio.updates().getFirst().form().get("Twiml");
        Element number = element(twiml, "Number");
        String url = number.getAttribute("url");
        assertThat(url, startsWith(PUBLIC + WhisperRoute.PATH + "?t="));
        assertThat(number.getAttribute("method"), is("POST"));
        assertThat(number.getTextContent(), is(DESK));
        assertThat("the summary never travels in clear", twiml, not(containsString("Jane")));

        HttpResponse<String> whisper = postWhisper(url, true);

        assertThat(whisper.statusCode(), is(200));
        assertThat(whisper.headers().firstValue("Content-Type").orElse(""), containsString("xml"));
        assertThat(element(whisper.body(), "Say").getTextContent(), is(WhisperRoute.INTRO + " " + summary));
        assertThat(whisper.body(), containsString("&lt;jane&gt;"));
        assertThat(whisper.body(), containsString("&amp; asks"));
    }

    @Test
    void theWhisperRouteRefusesABadOrMissingSignature() throws Exception {
        transfer(tool(DESK, TransferCallTool.Mode.WARM).run(args("{}"), phoneCall())).handoff().complete("Jane Doe.");
        String url = element(twilio.updates().getFirst().form().get("Twiml"), "Number").getAttribute("url");

        HttpResponse<String> unsigned = postWhisper(url, false);
        HttpResponse<String> forged = send(url, "forged-signature");

        assertThat(unsigned.statusCode(), is(403));
        assertThat(forged.statusCode(), is(403));
        assertThat(forged.body(), not(containsString("Jane")));
    }

    @Test
    void aTokenThatDoesNotOpenGetsTheIntroOnly() throws Exception {
        WhisperTokens expired = new WhisperTokens("shared-secret".getBytes(), Duration.ofMinutes(5),
                                                  Clock.fixed(Instant.now().minusSeconds(3600), ZoneOffset.UTC));
        WhisperTokens otherKey = new WhisperTokens("other-secret".getBytes(), Duration.ofMinutes(5), Clock.systemUTC());
        String base = PUBLIC + WhisperRoute.PATH + "?t=";

        HttpResponse<String> old = postWhisper(base + expired.seal("Jane Doe."), true);
        HttpResponse<String> foreign = postWhisper(base + otherKey.seal("Jane Doe."), true);

        assertThat(element(old.body(), "Say").getTextContent(), is(WhisperRoute.INTRO));
        assertThat(element(foreign.body(), "Say").getTextContent(), is(WhisperRoute.INTRO));
    }

    @Test
    void withoutAPublicUrlAWarmTransferIsMadeCold() throws Exception {
        TransferCallTool tool = new TransferCallTool(calls, whispers, Optional.empty(), DESK, TransferCallTool.Mode.WARM);

        ToolOutcome.Transfer transfer = transfer(tool.run(args("{}"), phoneCall()));
        transfer.handoff().complete("Jane Doe.");

        assertThat(transfer.wantsSummary(), is(false));
        assertThat(element(twilio.updates().getFirst().form().get("Twiml"), "Number").hasAttribute("url"), is(false));
    }

    @Test
    void aWebPhoneCallCannotBeTransferred() throws Exception {
        ToolOutcome outcome = tool(DESK, TransferCallTool.Mode.COLD).run(args("{}"), Fixture.webPhoneCall());

        assertThat(failure(outcome).reason(), is(ToolFailure.UNAVAILABLE));
        assertThat(twilio.requestCount(FakeTwilioRest.CALLS), is(0));
    }

    @Test
    void twilioRefusingTheUpdateFailsTheHandoff() throws Exception {
        ToolOutcome.Transfer transfer = transfer(tool(DESK, TransferCallTool.Mode.COLD).run(args("{}"), phoneCall()));
        twilio.failNext(FakeTwilioRest.CALLS, Fault.status(401));
        twilio.failNext(FakeTwilioRest.CALLS, Fault.status(500));

        VendorException unauthorized = assertThrows(VendorException.class, () -> transfer.handoff().complete(""));
        VendorException down = assertThrows(VendorException.class, () -> transfer.handoff().complete(""));

        assertThat(unauthorized.kind(), is(VendorException.Kind.UNAUTHORIZED));
        assertThat(down.kind(), is(VendorException.Kind.SERVER_ERROR));
        assertThat(twilio.updates().size(), is(0));
    }

    @Test
    void aSlowTwilioTimesTheHandoffOut() throws Exception {
        TwilioRestCalls impatient = new TwilioRestCalls(twilio.baseUri(), ACCOUNT_SID, AUTH_TOKEN, Fixture.SHORT_TIMEOUT);
        twilio.failAlways(FakeTwilioRest.CALLS, Fault.delay(Fixture.SLOW));
        ToolOutcome.Transfer transfer = transfer(new TransferCallTool(impatient, whispers, Optional.of(PUBLIC), DESK,
                                                                      TransferCallTool.Mode.COLD)
                                                         .run(args("{}"), phoneCall()));

        VendorException e = assertThrows(VendorException.class, () -> transfer.handoff().complete(""));

        assertThat(e.kind(), is(VendorException.Kind.TIMEOUT));
    }

    private TransferCallTool tool(String to, TransferCallTool.Mode mode) {
        return new TransferCallTool(calls, whispers, Optional.of(PUBLIC), to, mode);
    }

    private static ToolOutcome.Transfer transfer(ToolOutcome outcome) {
        assertThat(outcome.toString(), outcome, instanceOf(ToolOutcome.Transfer.class));
        return (ToolOutcome.Transfer) outcome;
    }

    /** Posts Twilio's whisper request for {@code publicUrl} to the local server, signed as Twilio would (or not). */
    private HttpResponse<String> postWhisper(String publicUrl, boolean signed) throws Exception {
        Map<String, List<String>> form = whisperForm();
        String signature = signed ? new TwilioSignature(AUTH_TOKEN).sign(publicUrl, form) : null;
        return send(publicUrl, signature);
    }

    private HttpResponse<String> send(String publicUrl, String signature) throws Exception {
        StringBuilder body = new StringBuilder();
        whisperForm().forEach((name, values) -> body.append(body.isEmpty() ? "" : "&").append(name).append('=')
                .append(java.net.URLEncoder.encode(values.getFirst(), java.nio.charset.StandardCharsets.UTF_8)));
        URI local = URI.create("http://127.0.0.1:" + server.port() + publicUrl.substring(PUBLIC.toString().length()));
        HttpRequest.Builder request = HttpRequest.newBuilder(local).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (signature != null) {
            request.header("X-Twilio-Signature", signature);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The parameters Twilio posts to a {@code <Number url>}: the dialed leg's call. */
    private static Map<String, List<String>> whisperForm() {
        Map<String, List<String>> form = new TreeMap<>();
        form.put("AccountSid", List.of(ACCOUNT_SID));
        form.put("CallSid", List.of("CA00112233445566778899aabbccddeeff"));
        form.put("CallStatus", List.of("in-progress"));
        form.put("Direction", List.of("outbound-dial"));
        form.put("From", List.of(DIALED));
        form.put("To", List.of(DESK));
        return form;
    }

    /** The first {@code tag} in a well-formed XML document (parsing proves everything was escaped). */
    private static Element element(String xml, String tag) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        return (Element) document.getElementsByTagName(tag).item(0);
    }
}
