package dev.voiceagent.call;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One thing the agent says: an answer to a caller turn, or a fixed phrase. Producer threads fill in what
 * was said (pieces of text and the length of their audio); the call thread tracks, from Twilio's mark
 * echoes, how much of it the caller actually heard.
 *
 * <p>Marks are named {@code r<reply>.<piece>} and {@code r<reply>.end}, so an echo can always be traced to
 * its reply, and echoes of a cleared reply (Twilio echoes every pending mark on {@code clear}) are ignored.
 */
final class AgentReply {

    /** Why the agent is speaking. */
    enum Kind { GREETING, ANSWER, REPROMPT, GOODBYE, APOLOGY }

    /** A piece of the reply queued for playback, with the duration of its audio. */
    record Piece(String text, long audioNanos) {
    }

    /** A parsed mark name. {@code piece} is -1 for the end mark. */
    record MarkName(long reply, int piece) {
        boolean isEnd() {
            return piece < 0;
        }
    }

    private final long number;
    private final Kind kind;
    private final boolean interruptible;
    private final List<Piece> pieces = new CopyOnWriteArrayList<>();
    private final TurnTimings timings;
    private final Utterance callerWords;
    private final boolean typed;
    private volatile String callerText;
    private volatile TurnListeningCost listening;
    private final java.util.concurrent.atomic.AtomicBoolean callerStored = new java.util.concurrent.atomic.AtomicBoolean();
    // Owned by the call thread.
    private String storedBefore = "";
    private String storedAs = "";
    private volatile boolean endsCall;
    private volatile boolean produced;
    private volatile SpeculationOutcome speculation = SpeculationOutcome.NONE;
    private final java.util.concurrent.atomic.AtomicInteger sttRequests = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger llmRequests = new java.util.concurrent.atomic.AtomicInteger();
    private int discardedSpeculations;

    private volatile dev.voiceagent.tools.ToolOutcome.Transfer transfer;
    // Owned by the call thread.
    private final List<dev.voiceagent.llm.ChatMessage> toolExchange = new java.util.ArrayList<>();
    private final List<String> toolSummaries = new java.util.ArrayList<>();
    private boolean remembered;

    // Owned by the call thread.
    private int piecesHeard;
    private long heardUpToNanos;

    /**
     * @param callerWords what this answers (ANSWER only; null for phrases)
     * @param typed       whether the caller's words are keys pressed
     */
    AgentReply(long number, Kind kind, boolean interruptible, boolean endsCall, TurnTimings timings,
               Utterance callerWords, boolean typed) {
        this.number = number;
        this.kind = kind;
        this.interruptible = interruptible;
        this.endsCall = endsCall;
        this.timings = timings;
        this.callerWords = callerWords;
        this.typed = typed;
    }

    /** A fixed phrase (greeting, reprompt, goodbye, apology). */
    static AgentReply phrase(long number, Kind kind, boolean endsCall) {
        return new AgentReply(number, kind, kind != Kind.GOODBYE, endsCall, new TurnTimings(), null, false);
    }

    long number() {
        return number;
    }

    Kind kind() {
        return kind;
    }

    boolean interruptible() {
        return interruptible;
    }

    TurnTimings timings() {
        return timings;
    }

    /** What the caller said that this answers (ANSWER only); kept so an abandoned answer can be redone. */
    Optional<Utterance> callerWords() {
        return Optional.ofNullable(callerWords);
    }

    /** Whether this answers keys pressed rather than speech. */
    boolean typed() {
        return typed;
    }

    /** Claims the storing of the caller's turn: true the first time only. */
    boolean markCallerStored() {
        return callerStored.compareAndSet(false, true);
    }

    /** Words of this turn stored already as an earlier caller turn (the caller went on after them). */
    String storedBefore() {
        return storedBefore;
    }

    void storedBefore(String words) {
        this.storedBefore = words == null ? "" : words;
    }

    /** The caller's words of this turn as stored ("" until stored). */
    String storedAs() {
        return storedAs;
    }

    void storedAs(String words) {
        this.storedAs = words;
    }

    /** What listening to the caller's turn cost (ANSWER to speech only). */
    Optional<TurnListeningCost> listening() {
        return Optional.ofNullable(listening);
    }

    void listening(TurnListeningCost cost) {
        this.listening = cost;
    }

    /** What the caller said, once transcribed. */
    Optional<String> callerText() {
        return Optional.ofNullable(callerText);
    }

    void callerText(String text) {
        this.callerText = text;
    }

    boolean endsCall() {
        return endsCall;
    }

    void endsCall(boolean value) {
        this.endsCall = value;
    }

    /** How speculation went for this answer. */
    SpeculationOutcome speculation() {
        return speculation;
    }

    void speculation(SpeculationOutcome outcome) {
        this.speculation = outcome;
    }

    void countSttRequest() {
        sttRequests.incrementAndGet();
    }

    void countLlmRequest() {
        llmRequests.incrementAndGet();
    }

    /** Speech-to-text requests made for this turn, including those of speculations given up on. */
    int sttRequests() {
        return sttRequests.get();
    }

    /** Language model requests made for this turn, including those of speculations given up on. */
    int llmRequests() {
        return llmRequests.get();
    }

    int discardedSpeculations() {
        return discardedSpeculations;
    }

    /** Adds the cost of speculations for this turn that were given up on. Call thread. */
    void addDiscarded(int speculations, int stt, int llm) {
        discardedSpeculations += speculations;
        sttRequests.addAndGet(stt);
        llmRequests.addAndGet(llm);
    }

    /** A tool asked to hand the caller to a person once this reply has played. */
    Optional<dev.voiceagent.tools.ToolOutcome.Transfer> transfer() {
        return Optional.ofNullable(transfer);
    }

    void transfer(dev.voiceagent.tools.ToolOutcome.Transfer value) {
        this.transfer = value;
    }

    /** Tool requests and results of this reply not yet in the conversation. Call thread. */
    void addToolExchange(List<dev.voiceagent.llm.ChatMessage> messages, List<String> summaries) {
        toolExchange.addAll(messages);
        toolSummaries.addAll(summaries);
    }

    /** Takes the tool exchange for the conversation (once). Call thread. */
    List<dev.voiceagent.llm.ChatMessage> takeToolExchange() {
        List<dev.voiceagent.llm.ChatMessage> taken = List.copyOf(toolExchange);
        toolExchange.clear();
        return taken;
    }

    /** {@code tool:outcome:ms} of each tool this reply used, for the turn's log line. Call thread. */
    List<String> toolSummaries() {
        return List.copyOf(toolSummaries);
    }

    /** Whether this reply is in the conversation already (a later tool result goes straight there). Call thread. */
    boolean remembered() {
        return remembered;
    }

    void markRemembered() {
        this.remembered = true;
    }

    /** All audio and the end mark are queued. */
    boolean produced() {
        return produced;
    }

    void markProduced() {
        this.produced = true;
    }

    /** Records a piece whose audio is queued; returns the name of the mark that follows it. */
    String addPiece(String text, long audioNanos) {
        pieces.add(new Piece(text, audioNanos));
        return "r" + number + "." + (pieces.size() - 1);
    }

    String endMarkName() {
        return "r" + number + ".end";
    }

    boolean hasPieces() {
        return !pieces.isEmpty();
    }

    boolean hasAudio() {
        return pieces.stream().anyMatch(p -> p.audioNanos() > 0);
    }

    /** Everything the reply said. */
    String fullText() {
        return join(pieces.size());
    }

    /** Twilio finished playing piece {@code index} at {@code nowNanos}. */
    void piecePlayed(int index, long nowNanos) {
        if (index + 1 > piecesHeard) {
            piecesHeard = index + 1;
            heardUpToNanos = nowNanos;
        }
    }

    /**
     * What the caller heard if playback stopped at {@code stopNanos}: the pieces whose marks came back,
     * plus the share of the next piece that had time to play (by its audio length), cut at a word.
     *
     * @param playStartNanos when the first frame of this reply was sent (0 if never)
     */
    String heardText(long stopNanos, long playStartNanos) {
        StringBuilder heard = new StringBuilder(join(piecesHeard));
        if (piecesHeard < pieces.size() && playStartNanos > 0) {
            Piece next = pieces.get(piecesHeard);
            long from = piecesHeard == 0 ? playStartNanos : heardUpToNanos;
            double share = next.audioNanos() <= 0 ? 0 : (double) (stopNanos - from) / next.audioNanos();
            String[] words = next.text().split("\\s+");
            int count = (int) Math.floor(Math.max(0, Math.min(1, share)) * words.length);
            if (count > 0) {
                if (!heard.isEmpty()) {
                    heard.append(' ');
                }
                heard.append(String.join(" ", java.util.Arrays.copyOf(words, count)));
            }
        }
        return heard.toString();
    }

    static Optional<MarkName> parseMark(String name) {
        if (!name.startsWith("r")) {
            return Optional.empty();
        }
        int dot = name.indexOf('.');
        if (dot < 2) {
            return Optional.empty();
        }
        try {
            long reply = Long.parseLong(name.substring(1, dot));
            String rest = name.substring(dot + 1);
            return Optional.of(new MarkName(reply, rest.equals("end") ? -1 : Integer.parseInt(rest)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private String join(int count) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count && i < pieces.size(); i++) {
            if (!s.isEmpty()) {
                s.append(' ');
            }
            s.append(pieces.get(i).text());
        }
        return s.toString();
    }
}
