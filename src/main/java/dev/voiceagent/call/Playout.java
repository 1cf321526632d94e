package dev.voiceagent.call;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.voiceagent.audio.FrameSplitter;
import dev.voiceagent.audio.PlayoutPacer;
import dev.voiceagent.twilio.MediaStreamCodec;
import dev.voiceagent.twilio.MediaStreamSender;

/**
 * Agent audio and marks on their way to Twilio. One sender thread per call writes them in order, paced
 * at real time with a lead: enough queued at Twilio that playback does not run dry while this server stalls
 * (a GC pause, a busy core), little enough that Twilio never holds more than a moment of a reply (sending
 * faster, as some frameworks do at 2x, leaves seconds queued; {@link #clear} drops what is queued either way).
 * The sender waits on the shared {@link Ticker}, so it may send up to a tick early: the lead at Twilio is
 * between the configured lead and that plus one tick.
 *
 * <p>Threads: {@link #audio}, {@link #mark} and {@link #flush} come from the thread producing the current
 * reply; {@link #clear} from the call thread; the sender thread is the only one that sends media.
 * A clear bumps a generation number under the send lock, so a frame already taken off the queue by the
 * sender can never reach Twilio after the clear.
 *
 * <p>Where a reply's audio runs out at Twilio before its next frame is sent (by the pacer's model of Twilio's queue),
 * the hole is a {@link Stutter}: handed to {@code onStutter} on the sender thread and added to the reply's
 * {@link #stutters tally}, so a pause for words, a late voice and a late sender can be told apart.
 */
final class Playout implements AutoCloseable {

    /** Something queued for Twilio, stamped with the generation it belongs to. */
    private sealed interface Item {
        long generation();
    }

    /** Audio of one reply, its words known at {@code wordsNanos}; it reached the playout at {@code readyNanos}. */
    private record Frame(long generation, long replyNo, byte[] mulaw, long wordsNanos, long readyNanos)
            implements Item {
    }

    private record MarkItem(long generation, long replyNo, String name) implements Item {
    }

    private final MediaStreamSender out;
    private final String streamSid;
    private final PlayoutPacer pacer;
    private final LongSupplier nanoTime;
    private final Ticker ticker;
    private final Runnable onSendFailure;
    private final Consumer<Stutter> onStutter;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock produceLock = new ReentrantLock();
    private final FrameSplitter splitter;
    private final Thread sender;
    private volatile long generation;
    private volatile long silencedThrough;
    private volatile boolean closed;
    private volatile long lastReplyNo = -1;
    private volatile long firstFrameNanos;
    private volatile long lastFrameNanos;
    private volatile long wordsNanos;
    private Stutter.Tally stutters = Stutter.Tally.NONE;   // of reply lastReplyNo; under sendLock

    Playout(MediaStreamSender out, String streamSid, Duration lead, Duration frame,
            LongSupplier nanoTime, Ticker ticker, Runnable onSendFailure, Consumer<Stutter> onStutter,
            String threadName) {
        this.out = out;
        this.streamSid = streamSid;
        this.pacer = new PlayoutPacer(lead.toNanos());
        this.nanoTime = nanoTime;
        this.ticker = ticker;
        this.onSendFailure = onSendFailure;
        this.onStutter = onStutter;
        this.wordsNanos = nanoTime.getAsLong();   // until a producer says otherwise, words are no later than this
        this.splitter = new FrameSplitter((int) (8000 * frame.toMillis() / 1000));
        this.sender = Thread.ofVirtual().name(threadName).start(this::sendLoop);
    }

    /** Queues audio of reply {@code replyNo}; cut into frames here so pacing is uniform. */
    void audio(long replyNo, byte[] mulaw, int offset, int length) {
        if (replyNo <= silencedThrough) {
            return;
        }
        long gen = generation;
        long ready = nanoTime.getAsLong();
        produceLock.lock();
        try {
            long words = wordsNanos;
            splitter.push(mulaw, offset, length, f -> queue.add(new Frame(gen, replyNo, f, words, ready)));
        } finally {
            produceLock.unlock();
        }
    }

    /**
     * The audio of reply {@code replyNo} queued from now on speaks words its producer got at {@code nanos}: a hole
     * before it that lasted until then was a pause for words (a tool, a slow model), not a stutter of the voice or
     * the sender. Ignored for a reply already silenced.
     */
    void wordsKnown(long replyNo, long nanos) {
        if (replyNo > silencedThrough) {
            wordsNanos = nanos;
        }
    }

    /** Queues a mark after the audio queued so far (flushing a partial frame first). */
    void mark(long replyNo, String name) {
        if (replyNo <= silencedThrough) {
            return;
        }
        flush(replyNo);
        queue.add(new MarkItem(generation, replyNo, name));
    }

    /** Queues whatever partial frame is left. */
    void flush(long replyNo) {
        long gen = generation;
        produceLock.lock();
        try {
            byte[] rest = splitter.flush();
            if (rest.length > 0) {
                queue.add(new Frame(gen, replyNo, rest, wordsNanos, nanoTime.getAsLong()));
            }
        } finally {
            produceLock.unlock();
        }
    }

    /**
     * Stops all agent audio now: drops everything queued here and tells Twilio to drop its buffer, and
     * refuses any audio of replies up to {@code replyNo} that a producer thread still hands over (it may
     * have checked for cancellation just before). Twilio then echoes every pending mark; callers must not
     * take those as played.
     */
    void clear(long replyNo) {
        sendLock.lock();
        try {
            silencedThrough = Math.max(silencedThrough, replyNo);
            generation++;
            queue.clear();
            produceLock.lock();
            try {
                splitter.flush();
            } finally {
                produceLock.unlock();
            }
            pacer.reset(nanoTime.getAsLong());
            out.send(MediaStreamCodec.clear(streamSid));
        } catch (RuntimeException e) {
            onSendFailure.run();
        } finally {
            sendLock.unlock();
        }
    }

    /** Refuses any further audio of replies up to {@code replyNo}, without telling Twilio (nothing was sent). */
    void silence(long replyNo) {
        sendLock.lock();
        try {
            silencedThrough = Math.max(silencedThrough, replyNo);
        } finally {
            sendLock.unlock();
        }
    }

    /** When the first frame of {@code replyNo} was sent (System.nanoTime), or 0 if none yet. */
    long firstFrameNanos(long replyNo) {
        return lastReplyNo == replyNo ? firstFrameNanos : 0;
    }

    /** The stutters of reply {@code replyNo} so far (none if it is not the latest reply that played). */
    Stutter.Tally stutters(long replyNo) {
        sendLock.lock();
        try {
            return lastReplyNo == replyNo ? stutters : Stutter.Tally.NONE;
        } finally {
            sendLock.unlock();
        }
    }

    /** When the most recent frame was sent, or 0. */
    long lastFrameNanos() {
        return lastFrameNanos;
    }

    /** Whether nothing is waiting to be sent. */
    boolean idle() {
        return queue.isEmpty();
    }

    private void sendLoop() {
        try {
            while (!closed) {
                Item item = queue.take();   // close() interrupts; an idle call costs no wake-ups
                if (item.generation() != generation) {
                    continue;
                }
                if (item instanceof Frame frame) {
                    long wait = pacer.nanosUntilNextSend(nanoTime.getAsLong());
                    ticker.sleep(wait);   // one shared clock wakes every call's sender (see Ticker)
                    send(frame);
                } else if (item instanceof MarkItem mark) {
                    sendMark(mark);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(Frame frame) {
        Optional<Stutter> stutter = Optional.empty();
        sendLock.lock();
        try {
            if (frame.generation() != generation || frame.replyNo() <= silencedThrough || closed) {
                return;
            }
            out.send(MediaStreamCodec.media(streamSid, frame.mulaw(), 0, frame.mulaw().length));
            long now = nanoTime.getAsLong();   // the frame has left: a write that blocked made it late too
            if (lastReplyNo == frame.replyNo()) {
                stutter = Stutter.before(pacer.playedUntilNanos(), frame.wordsNanos(), frame.readyNanos(), now);
                stutter.ifPresent(s -> stutters = stutters.plus(s));
            } else {
                firstFrameNanos = now;
                lastReplyNo = frame.replyNo();
                stutters = Stutter.Tally.NONE;
            }
            pacer.sent(now, PlayoutPacer.mulawNanos(frame.mulaw().length));
            lastFrameNanos = now;
        } catch (RuntimeException e) {
            closed = true;
            onSendFailure.run();
        } finally {
            sendLock.unlock();
        }
        stutter.ifPresent(onStutter);
    }

    private void sendMark(MarkItem mark) {
        sendLock.lock();
        try {
            if (mark.generation() == generation && mark.replyNo() > silencedThrough && !closed) {
                out.send(MediaStreamCodec.mark(streamSid, mark.name()));
            }
        } catch (RuntimeException e) {
            closed = true;
            onSendFailure.run();
        } finally {
            sendLock.unlock();
        }
    }

    /** Stops the sender thread, waiting at most {@code bound} for it. */
    void close(Duration bound) {
        closed = true;
        sender.interrupt();
        try {
            sender.join(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(1));
    }
}
