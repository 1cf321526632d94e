package dev.voiceagent.audio;

/**
 * Decides, frame by frame, whether the caller is speaking. Phone lines differ wildly in background level
 * (a quiet office versus a car), so a fixed threshold either misses soft talkers or hears speech in road noise.
 * Instead the detector tracks the noise floor and calls a frame speech when it stands out from that floor.
 *
 * <p>The floor is the minimum frame level over the last {@link VadSettings#floorWindowMs()}: speech always has
 * short dips between syllables that reach down to the background, while the background never dips below
 * itself, so the minimum follows the background and not the talker. The minimum is kept as per-100 ms block
 * minima in a small ring, which makes each frame O(1) and allocation-free. The floor is never taken below
 * {@link #LOWEST_FLOOR_DBFS}: on a digitally silent line any faint click would otherwise stand out by 10 dB.
 *
 * <p>One instance per call; not thread-safe.
 */
public final class VoiceActivityDetector {

    /** The floor never goes below this, whatever the line measures. */
    public static final double LOWEST_FLOOR_DBFS = -70.0;

    private static final int BLOCK_MS = 100;

    private final double onsetMarginDb;
    private final double holdMarginDb;
    private final double minSpeechDbfs;
    private final int framesPerBlock;
    private final double[] blockMinima;

    private int blocksFilled;
    private int nextBlock;
    private double completedMin = Double.POSITIVE_INFINITY;
    private double currentBlockMin = Double.POSITIVE_INFINITY;
    private int framesInCurrentBlock;
    private double floorDbfs = LOWEST_FLOOR_DBFS;
    private double lastLevelDbfs = Levels.SILENCE_DBFS;
    private boolean speaking;

    public VoiceActivityDetector(VadSettings settings) {
        this.onsetMarginDb = settings.onsetMarginDb();
        this.holdMarginDb = settings.holdMarginDb();
        this.minSpeechDbfs = settings.minSpeechDbfs();
        this.framesPerBlock = Math.max(1, BLOCK_MS / settings.frameMs());
        int blockMs = framesPerBlock * settings.frameMs();
        // The block being filled counts too, so the ring holds one block fewer than the window.
        int blocks = (settings.floorWindowMs() + blockMs - 1) / blockMs - 1;
        this.blockMinima = new double[Math.max(1, blocks)];
    }

    /** Classifies one frame of mu-law audio and updates the noise floor with it. */
    public boolean isSpeech(byte[] mulaw, int offset, int length) {
        double level = Levels.muLawDbfs(mulaw, offset, length);
        lastLevelDbfs = level;
        // The frame joins the floor before it is judged: that initialises the floor from the first frame, so a
        // call that opens on steady noise is not "speech" until the window has filled.
        currentBlockMin = Math.min(currentBlockMin, level);
        floorDbfs = Math.max(LOWEST_FLOOR_DBFS, Math.min(completedMin, currentBlockMin));
        if (++framesInCurrentBlock == framesPerBlock) {
            completeBlock();
        }
        double margin = speaking ? holdMarginDb : onsetMarginDb;
        speaking = level >= Math.max(minSpeechDbfs, floorDbfs + margin);
        return speaking;
    }

    /** The noise floor used for the latest frame, in dBFS; {@link #LOWEST_FLOOR_DBFS} before any frame. */
    public double noiseFloorDbfs() {
        return floorDbfs;
    }

    /** Level of the latest frame in dBFS; {@link Levels#SILENCE_DBFS} before any frame. */
    public double lastLevelDbfs() {
        return lastLevelDbfs;
    }

    private void completeBlock() {
        blockMinima[nextBlock] = currentBlockMin;
        nextBlock = (nextBlock + 1) % blockMinima.length;
        blocksFilled = Math.min(blocksFilled + 1, blockMinima.length);
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < blocksFilled; i++) {
            min = Math.min(min, blockMinima[i]);
        }
        completedMin = min;
        currentBlockMin = Double.POSITIVE_INFINITY;
        framesInCurrentBlock = 0;
    }
}
