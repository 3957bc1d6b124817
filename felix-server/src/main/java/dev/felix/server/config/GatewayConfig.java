package dev.felix.server.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Everything a gateway process needs to start: a value for every {@link Settings setting}.
 * Immutable; build one with {@link #builder()}, which starts from the settings' defaults, or change
 * a copy with {@link #toBuilder()}.
 */
public final class GatewayConfig {
    private final Map<Setting<?>, Object> values;

    private GatewayConfig(Map<Setting<?>, Object> values) {
        this.values = values;
    }

    /** The value of a setting: the one set, else its default (null for a setting unset by default). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return (T) values.get(setting);
    }

    /** True when both ports serve TLS ({@code wss://} and {@code https://}). */
    public boolean tls() {
        return get(Settings.TLS_CERT) != null;
    }

    /** True when {@link Settings#DB_URL} names PostgreSQL rather than the embedded SQLite store. */
    public boolean usesPostgres() {
        String url = get(Settings.DB_URL);
        return url != null && url.startsWith("jdbc:postgresql:");
    }

    public static Builder builder() {
        return new Builder(new HashMap<>());
    }

    public static GatewayConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        return new Builder(new HashMap<>(values));
    }

    /**
     * Every setting as {@code name=value}, secrets and the database URL's password masked, so a
     * configuration may be logged.
     */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "GatewayConfig[", "]");
        for (Setting<?> setting : Settings.all()) {
            Object value = values.get(setting);
            out.add(setting.name() + "=" + (value == null ? null : setting.masked(String.valueOf(value))));
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GatewayConfig other && other.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** Starts from the defaults; {@link #build()} checks every value against its setting's range. */
    public static final class Builder {
        private final Map<Setting<?>, Object> values;

        private Builder(Map<Setting<?>, Object> values) {
            this.values = values;
        }

        /** Sets a value; null unsets a setting that has no default. */
        public <T> Builder set(Setting<T> setting, T value) {
            values.put(Objects.requireNonNull(setting, "setting"), value);
            return this;
        }

        /**
         * @throws InvalidSettingException when a value is out of its setting's range
         * @throws IllegalArgumentException when settings contradict each other (a TLS key without a certificate)
         */
        public GatewayConfig build() {
            Map<Setting<?>, Object> all = new HashMap<>();
            for (Setting<?> setting : Settings.all()) {
                all.put(setting, checked(setting));
            }
            if ((all.get(Settings.TLS_CERT) == null) != (all.get(Settings.TLS_KEY) == null)) {
                throw new IllegalArgumentException("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
            }
            return new GatewayConfig(all);
        }

        @SuppressWarnings("unchecked")
        private <T> T checked(Setting<T> setting) {
            T value = values.containsKey(setting) ? (T) values.get(setting) : setting.defaultValue();
            String problem = setting.problem(value);
            if (problem != null) {
                throw new InvalidSettingException(setting, problem);
            }
            return value;
        }
    }
}
