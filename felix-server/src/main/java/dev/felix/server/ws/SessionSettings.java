package dev.felix.server.ws;

import java.time.Duration;

/**
 * The per-connection limits a session enforces, taken from the gateway configuration.
 *
 * @param maxQueuedBytes      outbound bytes not yet sent beyond which the client is a slow consumer
 * @param maxInboundPerSecond refill rate of the inbound frame bucket
 * @param inboundBurst        size of the inbound frame bucket
 */
record SessionSettings(Duration pingInterval, int maxMessageBytes, int maxListenIds, int maxQueuedBytes,
                       int maxInboundPerSecond, int inboundBurst) {
}
