package dev.voiceagent.fakes;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fakes' own contract, seen from a plain JDK client: the parts end-to-end tests rely on that the vendor client
 * tests do not reach (request validation, fault ordering, unknown paths).
 */
class FakeVendorServersTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void elevenLabsRejectsAMissingOutputFormatWithAValidationError() throws Exception {
        try (FakeElevenLabs elevenLabs = new FakeElevenLabs("key")) {
            HttpResponse<String> response = post(elevenLabs.baseUrl() + "/v1/text-to-speech/voice1/stream",
                    "application/json", "{\"text\":\"hi\"}", "xi-api-key", "key");

            assertThat(response.statusCode(), is(422));
            JsonNode error = json.readTree(response.body()).path("detail").path(0);
            assertThat(error.path("loc").toString(), is("[\"query\",\"output_format\"]"));
            assertThat(error.path("type").asText(), is("missing"));
            assertThat(elevenLabs.ttsCalls(), is(empty()));
        }
    }

    @Test
    void elevenLabsAnswersUnknownPathsLikeFastApi() throws Exception {
        try (FakeElevenLabs elevenLabs = new FakeElevenLabs("key")) {
            HttpResponse<String> response = post(elevenLabs.baseUrl() + "/v1/voices", "application/json", "{}",
                    "xi-api-key", "key");

            assertThat(response.statusCode(), is(404));
            assertThat(response.body(), is("{\"detail\":\"Not Found\"}"));
        }
    }

    @Test
    void whisperRejectsAudioThatIsNot8kHzMonoPcm() throws Exception {
        try (FakeCloudflare cloudflare = new FakeCloudflare("acc", "token")) {
            byte[] wav16k = TestAudio.wavPcm16(TestAudio.tonePcm(500, 16000), 16000);
            String body = "{\"audio\":\"" + Base64.getEncoder().encodeToString(wav16k) + "\"}";

            HttpResponse<String> response = post(cloudflare.baseUrl()
                            + "/accounts/acc/ai/run/@cf/openai/whisper-large-v3-turbo", "application/json", body,
                    "Authorization", "Bearer token");

            assertThat(response.statusCode(), is(400));
            JsonNode envelope = json.readTree(response.body());
            assertThat(envelope.path("success").asBoolean(), is(false));
            assertThat(envelope.path("errors").path(0).path("code").asInt(), is(5004));
            assertThat(cloudflare.whisperCalls(), is(empty()));
        }
    }

    @Test
    void cloudflareAcceptsTheClientV4PrefixAndAnswersUnstreamedChat() throws Exception {
        try (FakeCloudflare cloudflare = new FakeCloudflare("acc", "token")) {
            cloudflare.queueReplies("Sure thing.");

            HttpResponse<String> response = post(cloudflare.baseUrl()
                            + "/client/v4/accounts/acc/ai/run/@cf/meta/llama-3.1-8b-instruct-fast", "application/json",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", "Bearer token");

            assertThat(response.statusCode(), is(200));
            JsonNode envelope = json.readTree(response.body());
            assertThat(envelope.path("result").path("response").asText(), is("Sure thing."));
            assertThat(envelope.path("success").asBoolean(), is(true));
            assertThat(cloudflare.chatCalls().getFirst().stream(), is(false));
        }
    }

    @Test
    void cloudflareJsonModeAnswersAnObjectAndRefusesStreamingOrOtherFormats() throws Exception {
        try (FakeCloudflare cloudflare = new FakeCloudflare("acc", "token")) {
            String url = cloudflare.baseUrl() + "/accounts/acc/ai/run/@cf/meta/llama-3.3-70b-instruct-fp8-fast";
            String schema = "{\"type\":\"object\",\"properties\":{\"summary\":{\"type\":\"string\"}}}";
            String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
            cloudflare.queueJsonAnswer("{\"summary\":\"Said hi.\"}");
            cloudflare.queueJsonModeFailure();

            HttpResponse<String> answered = post(url, "application/json", "{" + messages
                    + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":" + schema + "}}",
                    "Authorization", "Bearer token");
            HttpResponse<String> failed = post(url, "application/json", "{" + messages
                    + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":" + schema + "}}",
                    "Authorization", "Bearer token");
            HttpResponse<String> streamed = post(url, "application/json", "{" + messages + ",\"stream\":true,"
                    + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":" + schema + "}}",
                    "Authorization", "Bearer token");
            HttpResponse<String> jsonObject = post(url, "application/json", "{" + messages
                    + ",\"response_format\":{\"type\":\"json_object\"}}", "Authorization", "Bearer token");

            assertThat(answered.statusCode(), is(200));
            JsonNode envelope = json.readTree(answered.body());
            assertThat(envelope.path("result").path("response").isObject(), is(true));
            assertThat(envelope.path("result").path("response").path("summary").asText(), is("Said hi."));
            assertThat(envelope.path("success").asBoolean(), is(true));
            assertThat(envelope.path("errors").isArray(), is(true));
            assertThat(failed.statusCode(), is(400));
            assertThat(json.readTree(failed.body()).path("errors").path(0).path("message").asText(),
                    is("JSON Mode couldn't be met"));
            assertThat(streamed.statusCode(), is(400));
            assertThat(jsonObject.statusCode(), is(400));
            assertThat(cloudflare.jsonModeCalls().size(), is(2));
            assertThat(cloudflare.jsonModeCalls().getFirst().schema(), is(json.readTree(schema)));
            assertThat(cloudflare.chatCalls(), is(empty()));
        }
    }

    @Test
    void webhookReceiverTakesOnlyJsonOnItsSecretPath() throws Exception {
        try (FakeWebhookReceiver receiver = new FakeWebhookReceiver()) {
            HttpResponse<String> form = post(receiver.url().toString(), "application/x-www-form-urlencoded", "a=1",
                    "Idempotency-Key", "CA1");
            HttpResponse<String> notAnObject = post(receiver.url().toString(), "application/json", "[1]",
                    "Idempotency-Key", "CA1");
            HttpResponse<String> elsewhere = post(receiver.baseUrl() + "/hooks/guess", "application/json", "{}",
                    "Idempotency-Key", "CA1");
            HttpResponse<String> accepted = post(receiver.url().toString(), "application/json", "{\"a\":1}",
                    "Idempotency-Key", "CA1");

            assertThat(form.statusCode(), is(400));
            assertThat(notAnObject.statusCode(), is(400));
            assertThat(elsewhere.statusCode(), is(404));
            assertThat(accepted.statusCode(), is(200));
            assertThat(receiver.accepted().size(), is(1));
            assertThat(receiver.accepted().getFirst().idempotencyKey(), is("CA1"));
        }
    }

    @Test
    void cloudflareAnswersAnotherAccountsPathWithRoutingError() throws Exception {
        try (FakeCloudflare cloudflare = new FakeCloudflare("acc", "token")) {
            HttpResponse<String> response = post(cloudflare.baseUrl() + "/accounts/other/ai/run/@cf/openai/whisper",
                    "application/octet-stream", "x", "Authorization", "Bearer token");

            assertThat(response.statusCode(), is(404));
            assertThat(json.readTree(response.body()).path("errors").path(0).path("code").asInt(), is(7003));
        }
    }

    @Test
    void oneShotFaultsComeInOrderBeforeTheStandingOneAndAllAreCounted() throws Exception {
        try (FakeTwilioRest twilio = new FakeTwilioRest("AC1", "token")) {
            twilio.failAlways(FakeTwilioRest.CALLS, Fault.status(503));
            twilio.failNext(FakeTwilioRest.CALLS, Fault.status(429));
            twilio.failNext(FakeTwilioRest.CALLS, Fault.status(500));

            assertThat(hangUp(twilio).statusCode(), is(429));
            assertThat(hangUp(twilio).statusCode(), is(500));
            assertThat(hangUp(twilio).statusCode(), is(503));
            twilio.clearFaults();
            assertThat(hangUp(twilio).statusCode(), is(200));
            assertThat(twilio.requestCount(FakeTwilioRest.CALLS), is(4));
            assertThat(twilio.updates().size(), is(1));
        }
    }

    @Test
    void cutAnswerSendsExactlyTheGivenBytesAndNeverFinishesTheChunkedBody() throws Exception {
        try (FakeElevenLabs elevenLabs = new FakeElevenLabs("key")) {
            elevenLabs.failNext(FakeElevenLabs.TTS, Fault.cutAfterBytes(900));
            String body = "{\"text\":\"A sentence long enough.\"}";
            byte[] raw;
            try (Socket socket = new Socket("127.0.0.1", elevenLabs.baseUri().getPort())) {
                socket.getOutputStream().write(("POST /v1/text-to-speech/voice1/stream?output_format=ulaw_8000 HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\nxi-api-key: key\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                raw = socket.getInputStream().readAllBytes(); // returns at the server's close
            }

            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            assertThat(text, startsWith("HTTP/1.1 200"));
            assertThat(text.toLowerCase(), containsString("transfer-encoding: chunked"));
            int dataBytes = 0;
            boolean terminated = false;
            for (int at = bodyStart; at < text.length(); ) {
                int lineEnd = text.indexOf("\r\n", at);
                int size = Integer.parseInt(text.substring(at, lineEnd), 16);
                if (size == 0) {
                    terminated = true;
                    break;
                }
                dataBytes += size;
                at = lineEnd + 2 + size + 2;
            }
            assertThat(dataBytes, is(900));
            assertThat(terminated, is(false));
        }
    }

    @Test
    void withRecordingOffRequestsAreCountedButNotKept() throws Exception {
        try (FakeTwilioRest twilio = new FakeTwilioRest("AC1", "token")) {
            twilio.recording(false);

            assertThat(hangUp(twilio).statusCode(), is(200));
            assertThat(twilio.requestCount(FakeTwilioRest.CALLS), is(1));
            assertThat(twilio.requests(FakeTwilioRest.CALLS), is(empty()));
            assertThat(twilio.updates(), is(empty()));
            twilio.recording(true);
            assertThat(hangUp(twilio).statusCode(), is(200));
            assertThat(twilio.requests(FakeTwilioRest.CALLS).size(), is(1));
            assertThat(twilio.updates().size(), is(1));
        }
    }

    @Test
    void unknownRouteNamesAreRejected() {
        try (FakeTwilioRest twilio = new FakeTwilioRest("AC1", "token")) {
            assertThrows(IllegalArgumentException.class, () -> twilio.failNext("tts", Fault.status(500)));
        }
    }

    private HttpResponse<String> hangUp(FakeTwilioRest twilio) throws Exception {
        return post(twilio.baseUrl() + "/2010-04-01/Accounts/AC1/Calls/CA1.json",
                "application/x-www-form-urlencoded", "Status=completed",
                "Authorization", "Basic " + Base64.getEncoder().encodeToString("AC1:token".getBytes()));
    }

    private HttpResponse<String> post(String url, String contentType, String body, String header, String value)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", contentType)
                .header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
