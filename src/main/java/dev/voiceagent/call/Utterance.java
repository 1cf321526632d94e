package dev.voiceagent.call;

import java.util.Arrays;

/**
 * What the caller said in one turn, in the form the listening side has it: {@link Text} a live recogniser (or
 * the keypad) already gave, or {@link Audio} still to be transcribed by batch speech-to-text. Immutable.
 */
sealed interface Utterance {

    /** Words already known: a streamed transcript, or keys pressed. */
    record Text(String words) implements Utterance {
        public Text {
            words = words == null ? "" : words.strip();
        }
    }

    /**
     * Audio to transcribe (8 kHz mu-law), with any words known from before and after it, e.g. when a turn heard
     * by a live recogniser is merged with one that fell back to batch transcription.
     */
    record Audio(String before, byte[] mulaw, String after) implements Utterance {
        public Audio {
            before = before == null ? "" : before.strip();
            after = after == null ? "" : after.strip();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Audio a && before.equals(a.before) && after.equals(a.after)
                    && Arrays.equals(mulaw, a.mulaw);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * before.hashCode() + after.hashCode()) + Arrays.hashCode(mulaw);
        }

        @Override
        public String toString() {
            return "Audio[before=" + before + ", ms=" + mulaw.length / 8 + ", after=" + after + "]";
        }
    }

    static Utterance audio(byte[] mulaw) {
        return new Audio("", mulaw, "");
    }

    /**
     * One turn that the caller went on with before the agent answered: {@code first} then {@code then}. The
     * merged audio keeps at most {@code maxAudioBytes} (the newest), so a caller who keeps resuming cannot grow it
     * without bound.
     */
    static Utterance merge(Utterance first, Utterance then, int maxAudioBytes) {
        if (first == null) {
            return then;
        }
        return switch (first) {
            case Text(String a) -> switch (then) {
                case Text(String b) -> new Text(join(a, b));
                case Audio(String b1, byte[] y, String b2) -> new Audio(join(a, b1), y, b2);
            };
            case Audio(String a1, byte[] x, String a2) -> switch (then) {
                case Text(String b) -> new Audio(a1, x, join(a2, b));
                case Audio(String b1, byte[] y, String b2) -> new Audio(a1, concat(x, y, maxAudioBytes), join(join(a2, b1), b2));
            };
        };
    }

    private static String join(String a, String b) {
        return a.isBlank() ? b.strip() : b.isBlank() ? a.strip() : a.strip() + " " + b.strip();
    }

    private static byte[] concat(byte[] a, byte[] b, int max) {
        int total = Math.min(max, a.length + b.length);
        byte[] out = new byte[total];
        int fromB = Math.min(b.length, total);
        int fromA = total - fromB;
        System.arraycopy(a, a.length - fromA, out, 0, fromA);
        System.arraycopy(b, b.length - fromB, out, fromA, fromB);
        return out;
    }
}
