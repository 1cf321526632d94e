package dev.voiceagent.persona;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A validated set of personas and which one answers which dialed number. Immutable. */
public final class Personas {

    private final Map<String, Persona> byId;
    private final Map<String, Persona> byNumber;
    private final Persona fallback;
    private final List<Persona> order;

    Personas(List<Persona> personas, String defaultId) {
        Map<String, Persona> ids = new LinkedHashMap<>();
        Map<String, Persona> numbers = new LinkedHashMap<>();
        for (Persona p : personas) {
            ids.put(p.id(), p);
            p.numbers().forEach(n -> numbers.put(normalise(n), p));
        }
        this.byId = Map.copyOf(ids);
        this.byNumber = Map.copyOf(numbers);
        this.fallback = ids.get(defaultId);
        this.order = List.copyOf(personas);
    }

    /** The persona that answers calls to {@code dialedNumber}, or the default one. */
    public Persona forNumber(String dialedNumber) {
        return byNumber.getOrDefault(normalise(dialedNumber == null ? "" : dialedNumber), fallback);
    }

    public Optional<Persona> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Persona defaultPersona() {
        return fallback;
    }

    /** All personas, in file order. */
    public List<Persona> all() {
        return order;
    }

    /** Numbers compare by digits only, so "+1 (555) 123-0001" and "+15551230001" are the same line. */
    static String normalise(String number) {
        return number.replaceAll("[^0-9+a-zA-Z:]", "");
    }
}
