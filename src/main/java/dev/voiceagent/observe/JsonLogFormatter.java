package dev.voiceagent.observe;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line: {@code ts}, {@code level}, {@code logger}, {@code msg}, the record's structured
 * fields (see {@link CallLog}) and {@code error}. Written by hand so logging has no dependency that could
 * itself fail to log.
 * <p>
 * Caller data is masked on every line, whoever logged it ({@link Redact}): digit runs in {@code msg} and
 * {@code error}, and in the string values of caller-data fields ({@code from}, {@code to}, {@code text}, ...);
 * every digit of keypad fields ({@code digit}, {@code digits}, {@code keys}). Numeric fields (durations, counts) and
 * other string fields (the call sid, vendor names) are written as they are.
 */
public final class JsonLogFormatter extends Formatter {

    /** Fields whose string values may hold digits a caller said or typed: digit runs masked. */
    static final Set<String> CALLER_DATA = Set.of("from", "to", "caller", "phone", "number", "text", "transcript",
                                                  "reply", "summary", "facts", "input");
    /** Fields that are nothing but keys the caller pressed: every digit masked. */
    static final Set<String> KEYPAD = Set.of("digit", "digits", "keys");

    @Override
    public String format(LogRecord record) {
        StringBuilder out = new StringBuilder(256).append('{');
        field(out, "ts", Instant.ofEpochMilli(record.getMillis()).toString()).append(',');
        field(out, "level", record.getLevel().getName()).append(',');
        field(out, "logger", record.getLoggerName() == null ? "" : record.getLoggerName()).append(',');
        Object[] params = record.getParameters();
        String message = record.getMessage() == null ? "" : record.getMessage();
        if (params != null && params.length == 1 && params[0] instanceof Map<?, ?> fields) {
            field(out, "msg", Redact.digits(message));
            for (Map.Entry<?, ?> e : fields.entrySet()) {
                out.append(',');
                Object v = e.getValue();
                if (v instanceof Number || v instanceof Boolean) {
                    string(out, String.valueOf(e.getKey())).append(':').append(v);
                } else {
                    String key = String.valueOf(e.getKey());
                    String value = String.valueOf(v);
                    field(out, key, KEYPAD.contains(key) ? Redact.allDigits(value)
                            : CALLER_DATA.contains(key) ? Redact.digits(value) : value);
                }
            }
        } else {
            field(out, "msg", Redact.digits(formatMessage(record)));
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            out.append(',');
            field(out, "error", Redact.digits(trace.toString()));
        }
        return out.append("}\n").toString();
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        string(out, name).append(':');
        return string(out, value);
    }

    private static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
                if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            }
        }
        return out.append('"');
    }
}
