package dev.voiceagent.persona;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.voiceagent.tools.ToolKit;

/**
 * The personas currently in force, reloaded when the file changes. New calls pick up an edit within
 * one poll interval and the settle time; calls in progress keep the {@link Persona} they started with. An invalid edit
 * keeps the last good personas and is reported by {@link #lastError()} (shown in the health endpoint).
 *
 * <p>A change is read only once the file has stood still for {@link #SETTLE} (same modification time and size before
 * and after): an editor that rewrites the file in place is not read half-written, which would reject a good edit
 * for a moment (and report the wrong error for a bad one). A writer slower than that can still be caught mid-write;
 * the next poll then reads the finished file.
 *
 * <p>Polling the modification time is used rather than a file-system watcher because watchers miss
 * editors that replace the file and Kubernetes-style symlink swaps.
 */
public final class PersonaCatalog implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PersonaCatalog.class.getName());
    /** How long a changed file must stand still before the watcher reads it. */
    static final Duration SETTLE = Duration.ofMillis(500);

    private final Path file;
    private final ToolKit tools;
    private final AtomicReference<Personas> current;
    private final AtomicReference<String> lastError = new AtomicReference<>();
    /** The file as it was when last read; null if it could not be looked at. */
    private volatile Version loaded;
    private final Thread watcher;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private PersonaCatalog(Path file, ToolKit tools, Personas initial, Duration pollInterval, Duration settle) {
        this.file = file;
        this.tools = tools;
        this.current = new AtomicReference<>(initial);
        this.watcher = pollInterval.isZero() ? null
                : Thread.ofVirtual().name("personas-watch").unstarted(() -> watch(pollInterval, settle));
    }

    /**
     * Loads {@code file} and starts watching it.
     *
     * @throws PersonaConfigException when the file is missing or invalid at startup
     */
    public static PersonaCatalog open(Path file, Duration pollInterval) {
        return open(file, pollInterval, ToolKit.standard());
    }

    /**
     * Loads {@code file}, building tools with {@code tools}, and starts watching it.
     *
     * @throws PersonaConfigException when the file is missing or invalid at startup
     */
    public static PersonaCatalog open(Path file, Duration pollInterval, ToolKit tools) {
        return open(file, pollInterval, SETTLE, tools);
    }

    /** As {@link #open(Path, Duration, ToolKit)}; a changed file is read once it has stood still for {@code settle}. */
    static PersonaCatalog open(Path file, Duration pollInterval, Duration settle, ToolKit tools) {
        Version version = Version.of(file);
        PersonaCatalog catalog = new PersonaCatalog(file, tools, PersonaFile.load(file, tools), pollInterval, settle);
        catalog.loaded = version;
        if (catalog.watcher != null) {
            catalog.watcher.start();   // after the version is set, so the first poll does not read the file again
        }
        return catalog;
    }

    public Personas current() {
        return current.get();
    }

    /**
     * Runs {@code listener} after every accepted edit (on the watcher thread, after {@link #current()} has changed).
     * A listener must return quickly (hand work to its own thread); one that throws is logged and the others still run.
     */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Why the latest edit was rejected, while the file is still invalid. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    public Path file() {
        return file;
    }

    /** Re-reads the file if it changed since the last look. */
    void reloadIfChanged() {
        Version now = changed();
        if (now != null) {
            load(now);
        }
    }

    /** The file's version if it differs from the one last read, else (or if it cannot be looked at) null. */
    private Version changed() {
        Version now = Version.of(file);
        return now == null || now.equals(loaded) ? null : now;
    }

    private void load(Version version) {
        loaded = version;
        try {
            current.set(PersonaFile.load(file, tools));
            if (lastError.getAndSet(null) != null) {
                LOG.info("personas file is valid again: " + file);
            }
            LOG.info("personas reloaded from " + file + ": " + current.get().all().size() + " personas");
            for (Runnable listener : listeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "personas change listener failed", e);
                }
            }
        } catch (PersonaConfigException e) {
            lastError.set(e.getMessage());
            LOG.severe("personas edit rejected, keeping the last good personas: " + e.getMessage());
        }
    }

    private void watch(Duration interval, Duration settle) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
                Version now = changed();
                if (now != null) {
                    Thread.sleep(settle);
                    if (now.equals(Version.of(file))) {
                        load(now);
                    }   // else still being written: the next poll looks again
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "personas watch failed", e);
            }
        }
    }

    /** What tells one state of the file from another: its modification time and size. */
    private record Version(FileTime modified, long size) {

        /** The file's version now, or null if it cannot be looked at. */
        static Version of(Path file) {
            try {
                return new Version(Files.getLastModifiedTime(file), Files.size(file));
            } catch (IOException e) {
                return null;
            }
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
