package dev.voiceagent.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the server said about a load run, read from its log: one JSON object per line on stderr (see the server's
 * {@code JsonLogFormatter}). Keeps the per-turn timing lines ({@code "msg":"turn"}), how calls ended, and a count of
 * warnings by message. Lines that are not JSON (JVM notices) are skipped.
 *
 * @param turns      every {@code turn} line, in log order
 * @param endReasons {@code call ended} lines counted by {@code reason}
 * @param warnings   WARNING and SEVERE lines counted by message (first 100 characters)
 * @param stutters   the length in ms of each hole the server's playout saw in a reply ({@code playout ran dry}), by
 *                   its {@code cause} ({@code words_late}: the model or a tool had not given the next words;
 *                   {@code speech_late}: the synthesizer had not delivered; {@code sent_late}: the audio was there and
 *                   the server sent it late)
 */
public record ServerLog(List<Turn> turns, Map<String, Integer> endReasons, Map<String, Integer> warnings,
                        Map<String, List<Long>> stutters) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One answered turn as the server timed it, in milliseconds; -1 where the stage did not happen.
     *
     * @param serverMs the server's own share of end-of-turn to first frame (everything but vendor time)
     */
    public record Turn(String callSid, long eosMs, long sttMs, long llmFirstTokenMs, long llmFirstSentenceMs,
                       long ttsFirstByteMs, long firstFrameMs, long voiceToVoiceMs, long serverMs,
                       boolean interrupted) {
    }

    /**
     * Reads a whole log file, keeping the lines of calls whose CallSid starts with {@code callSidPrefix} (the
     * measured calls, not a warm-up) and every line without a CallSid; bytes that are not UTF-8 are replaced rather
     * than failing the report.
     */
    public static ServerLog read(Path file, String callSidPrefix) {
        try {
            return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines(), callSidPrefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses log lines. */
    public static ServerLog parse(Stream<String> lines) {
        return parse(lines, "");
    }

    /** Parses log lines, leaving out those of calls whose CallSid does not start with {@code callSidPrefix}. */
    public static ServerLog parse(Stream<String> lines, String callSidPrefix) {
        List<Turn> turns = new ArrayList<>();
        Map<String, Integer> ends = new TreeMap<>();
        Map<String, Integer> warnings = new TreeMap<>();
        Map<String, List<Long>> stutters = new TreeMap<>();
        lines.forEach(line -> {
            JsonNode node = json(line);
            if (node == null) {
                return;
            }
            String callSid = node.path("callSid").asText("");
            if (!callSid.isEmpty() && !callSid.startsWith(callSidPrefix)) {
                return;
            }
            String msg = node.path("msg").asText("");
            String level = node.path("level").asText("");
            if (msg.equals("turn")) {
                turns.add(turn(node));
            } else if (msg.equals("call ended")) {
                ends.merge(node.path("reason").asText("?"), 1, Integer::sum);
            } else if (msg.equals("playout ran dry")) {
                stutters.computeIfAbsent(node.path("cause").asText("?"), c -> new ArrayList<>())
                        .add(node.path("ms").asLong(0));
            }
            if (level.equals("WARNING") || level.equals("SEVERE")) {
                warnings.merge(msg.length() > 100 ? msg.substring(0, 100) : msg, 1, Integer::sum);
            }
        });
        stutters.replaceAll((cause, ms) -> List.copyOf(ms));
        return new ServerLog(List.copyOf(turns), Map.copyOf(ends), Map.copyOf(warnings),
                             Collections.unmodifiableMap(stutters));
    }

    /** The samples of one timing field over all turns, leaving out turns where it did not happen (-1). */
    public List<Long> samples(ToLongFunction<Turn> field) {
        return turns.stream().mapToLong(field).filter(v -> v >= 0).boxed().toList();
    }

    private static JsonNode json(String line) {
        String trimmed = line.strip();
        if (!trimmed.startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(trimmed);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Turn turn(JsonNode n) {
        return new Turn(n.path("callSid").asText(""), n.path("eosMs").asLong(-1), n.path("sttMs").asLong(-1),
                        n.path("llmFirstTokenMs").asLong(-1), n.path("llmFirstSentenceMs").asLong(-1),
                        n.path("ttsFirstByteMs").asLong(-1), n.path("firstFrameMs").asLong(-1),
                        n.path("voiceToVoiceMs").asLong(-1), n.path("serverMs").asLong(-1),
                        n.path("interrupted").asBoolean(false));
    }
}
