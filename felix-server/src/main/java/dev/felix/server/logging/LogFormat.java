package dev.felix.server.logging;

/** How log lines look on stderr. */
public enum LogFormat {
    /** One human-readable line per event (the default). */
    TEXT,
    /** One JSON object per line, for log collectors. */
    JSON
}
