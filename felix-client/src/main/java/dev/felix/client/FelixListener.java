package dev.felix.client;

import dev.felix.protocol.ServerMessage;

/**
 * Receives what a {@link FelixClient} sees. Every method has an empty default, so implement only
 * what you need.
 *
 * <p>Threading: a client calls all its listeners on one thread of its own, named
 * {@code felix-client-events-N}, one call at a time and in the order the messages arrived. A listener
 * that blocks delays the events after it, never heartbeats or reconnects.
 */
public interface FelixListener {

    /** A guild entry the client listens to changed; {@code update.data()} is a JSON null once it was deleted. */
    default void onGuildUpdate(ServerMessage.EntryUpdate update) {
    }

    /** A user entry the client listens to changed; {@code update.data()} is a JSON null once it was deleted. */
    default void onUserUpdate(ServerMessage.EntryUpdate update) {
    }

    /** The answer to a heartbeat: the bot status now. */
    default void onStatus(ServerMessage.HeartbeatAck status) {
    }

    /**
     * The connection state changed.
     *
     * @param cause why the client is {@link ConnectionState#DISCONNECTED} or {@link ConnectionState#FAILED};
     *              null otherwise
     */
    default void onStateChange(ConnectionState state, Throwable cause) {
    }
}
