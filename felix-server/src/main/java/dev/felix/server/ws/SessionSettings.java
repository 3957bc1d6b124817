package dev.felix.server.ws;

import java.time.Duration;

/** The per-connection limits a session enforces, taken from the gateway configuration. */
record SessionSettings(Duration pingInterval, int maxMessageBytes, int maxListenIds) {
}
