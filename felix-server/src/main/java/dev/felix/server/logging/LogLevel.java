package dev.felix.server.logging;

/** The lowest level logged. An enum, so that a misspelt level is refused rather than read as INFO. */
public enum LogLevel {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR
}
