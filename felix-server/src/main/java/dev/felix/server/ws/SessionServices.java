package dev.felix.server.ws;

import dev.felix.server.hub.Hub;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.status.StatusService;
import dev.felix.server.store.Store;

/** What every session of a server shares: its limits, its ping timers and the gateway parts it talks to. */
record SessionServices(SessionSettings settings, Pings pings, Hub hub, Store store, StatusService status, WsStats stats,
                       GatewayMetrics metrics) {
}
