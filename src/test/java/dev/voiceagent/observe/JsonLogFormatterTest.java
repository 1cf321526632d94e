package dev.voiceagent.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;

/** Each log record is one line of valid JSON, with structured fields at the top level. */
class JsonLogFormatterTest {

    private final ObjectMapper json = new ObjectMapper();
    private final JsonLogFormatter formatter = new JsonLogFormatter();

    @Test
    void structuredFieldsBecomeTopLevelKeysWithTheirTypes() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("callSid", "CA1");
        fields.put("sttMs", 352L);
        fields.put("interrupted", true);
        LogRecord record = new LogRecord(Level.INFO, "turn");
        record.setLoggerName("dev.voiceagent.call");
        record.setParameters(new Object[] {fields});
        String line = formatter.format(record);
        assertThat(line, endsWith("}\n"));
        assertThat(line.indexOf('\n'), is(line.length() - 1));
        JsonNode node = json.readTree(line);
        assertThat(node.get("msg").asText(), is("turn"));
        assertThat(node.get("callSid").asText(), is("CA1"));
        assertThat(node.get("sttMs").asLong(), is(352L));
        assertThat(node.get("interrupted").asBoolean(), is(true));
        assertThat(node.get("level").asText(), is("INFO"));
    }

    @Test
    void quotesNewlinesControlCharactersAndStackTracesStayInsideOneLine() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "bad \"frame\"\n\tsecond line \u0001");
        record.setThrown(new IllegalStateException("boom"));
        String line = formatter.format(record);
        assertThat(line.indexOf('\n'), is(line.length() - 1));
        JsonNode node = json.readTree(line);
        assertThat(node.get("msg").asText(), is("bad \"frame\"\n\tsecond line \u0001"));
        assertThat(node.get("error").asText(), containsString("IllegalStateException: boom"));
    }

    @Test
    void callerDataIsMaskedOnEveryLineButIdentifiersAndNumbersAreNot() throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("callSid", "CA0123456789abcdef0123456789abcdef");
        fields.put("from", "+15551234567");
        fields.put("digit", "7");
        fields.put("text", "my PIN is 4 3 2 1");
        fields.put("durationMs", 123456L);
        fields.put("persona", "desk123");
        LogRecord record = new LogRecord(Level.INFO, "caller said 555 0100 9999");
        record.setLoggerName("dev.voiceagent.call");
        record.setParameters(new Object[] {fields});
        JsonNode node = json.readTree(formatter.format(record));
        assertThat(node.get("msg").asText(), is("caller said *** **** **99"));
        assertThat(node.get("callSid").asText(), is("CA0123456789abcdef0123456789abcdef"));
        assertThat(node.get("from").asText(), is("+*********67"));
        assertThat(node.get("digit").asText(), is("*"));
        assertThat(node.get("text").asText(), is("my PIN is * * * *"));
        assertThat(node.get("durationMs").asLong(), is(123456L));
        assertThat("not caller data", node.get("persona").asText(), is("desk123"));
    }

    @Test
    void plainMessagesAndErrorsAreMaskedToo() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "webhook refused 4111111111111111");
        record.setThrown(new IllegalStateException("caller +15551234567 said 9 9 9"));
        JsonNode node = json.readTree(formatter.format(record));
        assertThat(node.get("msg").asText(), is("webhook refused **************11"));
        assertThat(node.get("error").asText(), containsString("caller +*********67 said * * *"));
    }
}
