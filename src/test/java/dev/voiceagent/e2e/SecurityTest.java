package dev.voiceagent.e2e;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.voiceagent.fakes.FakeTwilioCaller;
import dev.voiceagent.twilio.TwilioSignature;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Only Twilio, and only for calls we answered, can reach the webhook and the media socket. */
class SecurityTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String VOICE_URL = AgentHarness.PUBLIC_BASE_URL + "/twilio/voice";
    private static final String MEDIA_URL = "wss://agent.example.test/twilio/media";
    private static AgentHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = AgentHarness.start();
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void aSignedWebhookIsAnsweredWithConnectStreamAndTheCallsParameters() throws Exception {
        String callSid = AgentHarness.newCallSid();
        Map<String, String> form = AgentHarness.voiceForm(callSid, "+15557654321");
        HttpResponse<String> res = h.postVoiceWebhook(form, AgentHarness.sign(VOICE_URL, form));
        assertThat(res.statusCode(), is(200));
        assertThat(res.headers().firstValue("content-type").orElse(""), containsString("xml"));
        AgentHarness.StreamTwiml twiml = AgentHarness.parseTwiml(res.body());
        assertThat(twiml.url(), is(MEDIA_URL));
        assertThat(twiml.parameters().get("from"), is("+15557654321"));
        assertThat(twiml.parameters().get("to"), is(AgentHarness.AGENT_NUMBER));
        assertThat(twiml.parameters().get("persona"), is("tester"));
        assertThat(twiml.parameters().get("token").matches("\\d+\\.[A-Za-z0-9_-]+"), is(true));
    }

    @Test
    void theCallersStirAttestationIsPassedToTheMediaStreamAndIsEmptyWhenAbsent() throws Exception {
        Map<String, String> attested = new java.util.LinkedHashMap<>(AgentHarness.voiceForm(AgentHarness.newCallSid(),
                                                                                            "+15557654321"));
        attested.put("StirVerstat", "TN-Validation-Passed-A");
        AgentHarness.StreamTwiml twiml = AgentHarness.parseTwiml(
                h.postVoiceWebhook(attested, AgentHarness.sign(VOICE_URL, attested)).body());
        assertThat(twiml.parameters().get("verstat"), is("TN-Validation-Passed-A"));

        Map<String, String> plain = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15557654321");
        twiml = AgentHarness.parseTwiml(h.postVoiceWebhook(plain, AgentHarness.sign(VOICE_URL, plain)).body());
        assertThat(twiml.parameters().get("verstat"), is(""));
    }

    @Test
    void unsignedOrWronglySignedWebhooksAreRefusedWith403() throws Exception {
        Map<String, String> form = AgentHarness.voiceForm(AgentHarness.newCallSid(), "+15557654321");
        assertThat(h.postVoiceWebhook(form, null).statusCode(), is(403));
        assertThat(h.postVoiceWebhook(form, "bm90IGEgc2lnbmF0dXJl").statusCode(), is(403));
        assertThat(h.postVoiceWebhook(form, AgentHarness.sign(VOICE_URL + "?x=1", form)).statusCode(), is(403));
        Map<String, String> tampered = new java.util.LinkedHashMap<>(form);
        String signature = AgentHarness.sign(VOICE_URL, form);
        tampered.put("From", "+10000000000");
        assertThat(h.postVoiceWebhook(tampered, signature).statusCode(), is(403));
    }

    @Test
    void aWebhookWithoutACallSidIsABadRequest() throws Exception {
        Map<String, String> form = Map.of("From", "+15557654321");
        assertThat(h.postVoiceWebhook(form, AgentHarness.sign(VOICE_URL, form)).statusCode(), is(400));
    }

    @Test
    void statusCallbacksAreSignedToo() throws Exception {
        Map<String, String> form = Map.of("CallSid", AgentHarness.newCallSid(), "CallStatus", "completed",
                                          "CallDuration", "42");
        String url = AgentHarness.PUBLIC_BASE_URL + "/twilio/status";
        assertThat(h.post("/twilio/status", form, AgentHarness.sign(url, form)).statusCode(), is(204));
        assertThat(h.post("/twilio/status", form, null).statusCode(), is(403));
    }

    @Test
    void theWarmTransferWhisperIsServedAndSignedLikeTheWebhooks() throws Exception {
        Map<String, String> form = Map.of("CallSid", AgentHarness.newCallSid(), "CallStatus", "in-progress");
        String path = "/twilio/whisper?t=not-a-token";
        HttpResponse<String> signed = h.post(path, form, AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + path, form));
        assertThat(signed.statusCode(), is(200));
        assertThat(signed.body(), containsString("<Say>" + dev.voiceagent.twilio.WhisperRoute.INTRO + "</Say>"));
        assertThat(h.post(path, form, null).statusCode(), is(403));
        assertThat(h.post(path, form, AgentHarness.sign(AgentHarness.PUBLIC_BASE_URL + "/twilio/whisper", form))
                           .statusCode(), is(403));
    }

    @Test
    void aMediaSocketWithoutAValidHandshakeSignatureIsRefused() {
        assertThrows(Exception.class, () -> FakeTwilioCaller.connect(h.mediaUri(), Map.of()));
        assertThrows(Exception.class, () -> FakeTwilioCaller.connect(h.mediaUri(), Map.of("X-Twilio-Signature",
                new TwilioSignature("wrong-token").sign(MEDIA_URL, Map.of()))));
    }

    @Test
    void theHandshakeSignatureIsAcceptedWithATrailingSlashOrAnHttpsScheme() throws Exception {
        for (String signedUrl : new String[] {MEDIA_URL + "/", "https://agent.example.test/twilio/media"}) {
            try (FakeTwilioCaller caller = FakeTwilioCaller.connect(h.mediaUri(), Map.of("X-Twilio-Signature",
                    new TwilioSignature(AgentHarness.AUTH_TOKEN).sign(signedUrl, Map.of())))) {
                assertThat(caller.isClosed(), is(false));
            }
        }
    }

    @Test
    void aStreamWithoutOurTokenOrWithAReusedOneIsClosed() throws Exception {
        Map<String, String> signed = Map.of("X-Twilio-Signature",
                                            new TwilioSignature(AgentHarness.AUTH_TOKEN).sign(MEDIA_URL, Map.of()));
        FakeTwilioCaller forged = FakeTwilioCaller.connect(h.mediaUri(), signed);
        forged.start(AgentHarness.newCallSid(), Map.of("persona", "tester", "token", "123.forged"));
        assertThat(forged.awaitClosed(WAIT), is(true));
        assertThat(forged.closeCode(), is(1008));

        String callSid = AgentHarness.newCallSid();
        Map<String, String> form = AgentHarness.voiceForm(callSid, "+15557654321");
        AgentHarness.StreamTwiml twiml = AgentHarness.parseTwiml(
                h.postVoiceWebhook(form, AgentHarness.sign(VOICE_URL, form)).body());
        FakeTwilioCaller first = FakeTwilioCaller.connect(h.mediaUri(), signed);
        first.start(callSid, twiml.parameters());
        FakeTwilioCaller replay = FakeTwilioCaller.connect(h.mediaUri(), signed);
        replay.start(callSid, twiml.parameters());
        assertThat(replay.awaitClosed(WAIT), is(true));
        assertThat(replay.closeCode(), is(1008));
        assertThat(first.awaitAudioAfter(0, WAIT) > 0, is(true));
        first.close();
    }
}
