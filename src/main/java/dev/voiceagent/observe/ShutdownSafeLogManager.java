package dev.voiceagent.observe;

import java.util.logging.LogManager;

/**
 * The JDK's {@link LogManager} closes every handler from its own shutdown hook, which runs alongside the
 * server's graceful-shutdown hook: the log lines of a drain (calls still finishing, calls ended) would be
 * lost. This manager ignores only that hook's reset; handlers write until the process exits (the console
 * handler flushes each record). Installed by {@code Main} before any logging starts.
 */
public final class ShutdownSafeLogManager extends LogManager {

    @Override
    public void reset() {
        if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
            return;
        }
        super.reset();
    }
}
