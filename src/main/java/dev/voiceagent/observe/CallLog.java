package dev.voiceagent.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Structured log lines for one call: every line carries the call sid, plus named fields that the JSON
 * formatter turns into top-level keys. Never pass secrets as fields.
 */
public final class CallLog {

    private static final Logger LOG = Logger.getLogger("dev.voiceagent.call");

    private final String callSid;

    public CallLog(String callSid) {
        this.callSid = callSid;
    }

    public String callSid() {
        return callSid;
    }

    public void info(String message, Object... fields) {
        log(Level.INFO, message, null, fields);
    }

    public void warn(String message, Object... fields) {
        log(Level.WARNING, message, null, fields);
    }

    public void warn(String message, Throwable error, Object... fields) {
        log(Level.WARNING, message, error, fields);
    }

    public void debug(String message, Object... fields) {
        log(Level.FINE, message, null, fields);
    }

    private void log(Level level, String message, Throwable error, Object... fields) {
        if (!LOG.isLoggable(level)) {
            return;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("callSid", callSid);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            map.put(String.valueOf(fields[i]), fields[i + 1]);
        }
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(LOG.getName());
        record.setParameters(new Object[] {map});
        record.setThrown(error);
        LOG.log(record);
    }
}
