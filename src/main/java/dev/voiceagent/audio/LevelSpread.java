package dev.voiceagent.audio;

/**
 * How much the level of the frames taken as speech varies, in dB (their standard deviation). Speech rises
 * and falls with every syllable (a spread of several dB); stationary line noise that the adaptive noise
 * floor has not caught up with yet (it follows a louder background within about 1.5 s) stays within a dB
 * or so. A "turn" or an interruption whose levels barely move is noise, not a caller.
 *
 * <p>Welford's running variance: constant memory, no allocation per frame.
 */
public final class LevelSpread {

    private int count;
    private double mean;
    private double sumOfSquares;

    /** Adds the level of one frame taken as speech. */
    public void add(double levelDbfs) {
        count++;
        double delta = levelDbfs - mean;
        mean += delta / count;
        sumOfSquares += delta * (levelDbfs - mean);
    }

    /** Standard deviation of the levels added since the last reset, in dB; 0 with fewer than two. */
    public double spreadDb() {
        return count < 2 ? 0 : Math.sqrt(sumOfSquares / (count - 1));
    }

    public int count() {
        return count;
    }

    public void reset() {
        count = 0;
        mean = 0;
        sumOfSquares = 0;
    }
}
