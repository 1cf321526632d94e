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
}
