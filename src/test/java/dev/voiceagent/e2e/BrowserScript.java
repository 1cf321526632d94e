package dev.voiceagent.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one script of {@code browser-tests/} (Node.js + playwright-core driving Debian's headless Chromium) against
 * a running server and returns what it printed; a script that exits non-zero, or runs past its time, fails the
 * test with everything it printed. {@code scripts/browser-deps.sh} (run by the README's test command) installs
 * Chromium and the pinned npm packages; without them the test fails and says so.
 */
final class BrowserScript {

    private static final Path DIR = Path.of("browser-tests");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));

    private BrowserScript() {
    }

    /**
     * Runs {@code browser-tests/<script>} with {@code env} added to the environment, for at most {@code limit}.
     *
     * @return the script's standard output and error, interleaved
     */
    static String run(String script, Map<String, String> env, Duration limit) throws IOException, InterruptedException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isDirectory(DIR.resolve("node_modules/playwright-core"))) {
            throw new AssertionError("browser tests need Debian's chromium at " + CHROMIUM
                                     + " and browser-tests/node_modules: run scripts/browser-deps.sh");
        }
        Path output = Files.createTempFile("browser-" + script.replace('/', '-'), ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of("node", script)).directory(DIR.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            boolean finished = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (!finished) {
                throw new AssertionError(script + " ran past " + limit.toSeconds() + " s:\n" + printed);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(script + " exited " + process.exitValue() + ":\n" + printed);
            }
            return printed;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
