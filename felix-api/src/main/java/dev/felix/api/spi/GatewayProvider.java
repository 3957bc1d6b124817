package dev.felix.api.spi;

import dev.felix.api.FelixGateway;
import dev.felix.api.StatusSource;

import java.util.Map;

/**
 * What {@code felix-server} provides so that {@link FelixGateway#builder()} can start it, found
 * with {@link java.util.ServiceLoader}. Not for bots to call.
 */
public interface GatewayProvider {
    /**
     * Starts a gateway.
     *
     * @param options {@code felix.yml} keys and their values as text
     * @param sources the status sources by name, in the order they were added
     */
    FelixGateway start(Map<String, String> options, Map<String, StatusSource> sources);
}
