package dev.felix.server.store;

import java.util.Locale;

/** What a token may do: a private token may connect to the socket and write; a public one only reads. */
public enum Scope {
    PRIVATE, PUBLIC;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
