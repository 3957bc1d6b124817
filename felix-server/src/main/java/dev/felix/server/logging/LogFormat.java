package dev.felix.server.logging;

import java.util.Locale;

/** How log lines look on stderr. */
public enum LogFormat {
    /** One human-readable line per event (the default). */
    TEXT,
    /** One JSON object per line, for log collectors. */
    JSON;

    /** The spelling of the documentation and of {@code felix config}'s output. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
