package dev.felix.client;

import dev.felix.client.internal.ClientSettings;
import dev.felix.client.internal.FelixClientImpl;
import dev.felix.protocol.ServerMessage;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A connection to Felix's WebSocket that stays up: it sends a heartbeat every second (by default),
 * keeps the latest bot status, delivers updates of the guilds and users it listens to, and
 * reconnects with exponential backoff and jitter when the connection drops.
 *
 * <p>After a reconnect the client sends its listened sets again, with {@code since} set to the
 * highest change sequence it has seen, so a server with the resume extension replays what changed
 * in between. A server that refuses a fixed token (HTTP 403) stops the client: its state becomes
 * {@link ConnectionState#FAILED} and {@link #failure()} holds a {@link FelixHandshakeException}. With a
 * {@linkplain Builder#tokenSupplier token supplier}, the supplier is asked again on every reconnect, so
 * a dashboard can hand out short-lived session tokens; a refusal is then retried like a lost connection.
 *
 * <p>Listeners run on the client's own event thread; see {@link FelixListener}. All methods are
 * thread-safe.
 *
 * <pre>{@code
 * FelixClient client = FelixClient.builder()
 *         .url("ws://localhost:8090")
 *         .token(System.getenv("FELIX_TOKEN"))
 *         .onGuildUpdate(u -> System.out.println(u.id() + " -> " + u.data()))
 *         .build();
 * client.listen(List.of(), List.of("123456789012345678"));
 * }</pre>
 */
public interface FelixClient extends AutoCloseable {

    static Builder builder() {
        return new Builder();
    }

    /**
     * Replaces the users and guilds this client listens to (duplicates are dropped). Sent at once when
     * connected, and again on every reconnect.
     */
    void listen(Collection<String> users, Collection<String> guilds);

    /** The last heartbeat ACK received, over any connection; empty before the first. */
    Optional<ServerMessage.HeartbeatAck> latestStatus();

    ConnectionState state();

    /** Why the client is {@link ConnectionState#FAILED}; empty in every other state. */
    Optional<Throwable> failure();

    void addListener(FelixListener listener);

    void removeListener(FelixListener listener);

    /** Closes the connection (1000) and stops every thread of this client; the state becomes CLOSED. */
    @Override
    void close();

    /** Settings of a client; {@link #url} and a {@link #token} or {@link #tokenSupplier} are required. */
    final class Builder {
        private URI url;
        private Supplier<String> token;
        private boolean fixedToken;
        private String userAgent = "felix-client";
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration minBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration silenceTimeout = Duration.ofSeconds(10);
        private final List<FelixListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The server, e.g. {@code ws://localhost:8090}. */
        public Builder url(String value) {
            return url(URI.create(value));
        }

        public Builder url(URI value) {
            String scheme = value.getScheme();
            if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("url must start with ws:// or wss://, was " + value);
            }
            url = value;
            return this;
        }

        /** A private token, sent as is in the Authorization header. */
        public Builder token(String value) {
            token = value == null || value.isBlank() ? null : () -> value;
            fixedToken = true;
            return this;
        }

        /**
         * Where the token comes from, asked before every connection attempt (the first one and every
         * reconnect), on the client's own timer thread: e.g. a call to the dashboard's backend that
         * mints a session token. It may block for a moment (the connect timeout does not cover it);
         * a null, blank or thrown answer counts as a failed attempt and is retried with backoff.
         */
        public Builder tokenSupplier(Supplier<String> value) {
            token = Objects.requireNonNull(value, "tokenSupplier");
            fixedToken = false;
            return this;
        }

        /** The User-Agent header of the handshake (default {@code felix-client}). */
        public Builder userAgent(String value) {
            userAgent = Objects.requireNonNull(value, "userAgent");
            return this;
        }

        /** Time between heartbeats (default 1 s). */
        public Builder heartbeatInterval(Duration value) {
            heartbeatInterval = requirePositive(value, "heartbeatInterval");
            return this;
        }

        /**
         * Bounds of the reconnect delay (default 0.5 s to 30 s): it doubles with every failed attempt up
         * to {@code max}, and each wait is picked at random between half of it and all of it. A
         * connection that lasted 10 s starts it over; one the server closes sooner counts as failed.
         */
        public Builder reconnectBackoff(Duration min, Duration max) {
            requirePositive(min, "min");
            requirePositive(max, "max");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("max backoff " + max + " is below min " + min);
            }
            minBackoff = min;
            maxBackoff = max;
            return this;
        }

        /** How long one handshake may take (default 10 s). */
        public Builder connectTimeout(Duration value) {
            connectTimeout = requirePositive(value, "connectTimeout");
            return this;
        }

        /**
         * How late the server may be with an answer to a heartbeat (default 10 s): when it has sent
         * nothing at all (ACKs, updates, pings) for a heartbeat interval plus this, the client drops the
         * connection as dead and makes a new one. It catches connections that broke without a close,
         * which the operating system may take many minutes to notice.
         */
        public Builder silenceTimeout(Duration value) {
            silenceTimeout = requirePositive(value, "silenceTimeout");
            return this;
        }

        /** Adds a listener that sees every event from the first connection attempt on. */
        public Builder addListener(FelixListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public Builder onGuildUpdate(Consumer<ServerMessage.EntryUpdate> action) {
            Objects.requireNonNull(action, "action");
            return addListener(new FelixListener() {
                @Override
                public void onGuildUpdate(ServerMessage.EntryUpdate update) {
                    action.accept(update);
                }
            });
        }

        public Builder onUserUpdate(Consumer<ServerMessage.EntryUpdate> action) {
            Objects.requireNonNull(action, "action");
            return addListener(new FelixListener() {
                @Override
                public void onUserUpdate(ServerMessage.EntryUpdate update) {
                    action.accept(update);
                }
            });
        }

        public Builder onStatus(Consumer<ServerMessage.HeartbeatAck> action) {
            Objects.requireNonNull(action, "action");
            return addListener(new FelixListener() {
                @Override
                public void onStatus(ServerMessage.HeartbeatAck status) {
                    action.accept(status);
                }
            });
        }

        /** Builds the client and starts connecting; it returns at once. */
        public FelixClient build() {
            if (url == null) {
                throw new IllegalStateException("url is required");
            }
            if (token == null) {
                throw new IllegalStateException("token or tokenSupplier is required");
            }
            return FelixClientImpl.start(new ClientSettings(url, token, fixedToken, userAgent, heartbeatInterval, minBackoff,
                    maxBackoff, connectTimeout, silenceTimeout), listeners);
        }

        private static Duration requirePositive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
