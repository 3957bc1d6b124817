package dev.felix.server.api;

import dev.felix.api.FelixGateway;
import dev.felix.api.StatusSource;
import dev.felix.api.spi.GatewayProvider;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.Setting;
import dev.felix.server.config.Settings;

import java.util.Map;

/**
 * Starts the gateway {@link FelixGateway#builder()} asks for. Its options are the settings of
 * {@code felix serve}, by their {@code felix.yml} keys, read and checked as the file's are.
 */
public final class EmbeddedGatewayProvider implements GatewayProvider {
    @Override
    public FelixGateway start(Map<String, String> options, Map<String, StatusSource> sources) {
        return EmbeddedGateway.start(config(options), sources);
    }

    /** The configuration the options name; the rest keep their defaults. */
    public static GatewayConfig config(Map<String, String> options) {
        GatewayConfig.Builder builder = GatewayConfig.builder();
        options.forEach((key, text) -> set(builder, Settings.named(key), text));
        return builder.build();
    }

    private static <T> void set(GatewayConfig.Builder builder, Setting<T> setting, String text) {
        builder.set(setting, setting.parse(text));
    }
}
