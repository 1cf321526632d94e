package dev.voiceagent.tools;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Makes the built-in tools a persona declares ({@code - builtin: <name>}); provided by {@code Main}, which knows the
 * vendor clients they need. {@code end_call} is always available; every other built-in is available when a maker
 * for it was registered ({@link #of}). A persona that declares a built-in this server cannot make is rejected
 * ("not available") when the personas file is loaded.
 * <p>
 * A maker is called when the personas file is loaded (at startup and after every edit), on the loading thread, with
 * the declaration's options already checked by {@link BuiltinTool#problems}. It must not block on the network. It
 * may refuse with an {@link IllegalArgumentException} or {@link IllegalStateException} whose message says why (e.g.
 * "needs GHL_API_KEY"); that message becomes the persona's validation error.
 */
@FunctionalInterface
public interface BuiltinTools {

    /**
     * The tool for one declaration, or empty when this server has no implementation of {@code kind}.
     *
     * @throws IllegalArgumentException or IllegalStateException when it cannot be made with these options
     */
    Optional<Tool> create(BuiltinTool kind, Map<String, String> options);

    /** Only {@code end_call}. */
    static BuiltinTools endCallOnly() {
        return of(Map.of());
    }

    /** {@code end_call} plus one maker per built-in this server implements. */
    static BuiltinTools of(Map<BuiltinTool, Function<Map<String, String>, Tool>> makers) {
        Map<BuiltinTool, Function<Map<String, String>, Tool>> all = new EnumMap<>(BuiltinTool.class);
        all.putAll(makers);
        all.putIfAbsent(BuiltinTool.END_CALL, options -> new EndCallTool());
        Map<BuiltinTool, Function<Map<String, String>, Tool>> fixed = Map.copyOf(all);
        return (kind, options) -> Optional.ofNullable(fixed.get(kind))
                .map(maker -> Objects.requireNonNull(maker.apply(options), "maker returned null for " + kind));
    }
}
