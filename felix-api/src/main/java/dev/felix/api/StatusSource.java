package dev.felix.api;

/**
 * Something that knows part of the bot's status (a JDA shard manager, for instance) and pushes it
 * to an embedded gateway, which merges it into every heartbeat ACK.
 */
public interface StatusSource extends AutoCloseable {

    /**
     * Starts reporting: the source sends a first report soon and a new one after every change, until
     * {@link #close()}. Called once, by {@link FelixGateway.Builder#start()}.
     */
    void start(StatusSink sink);

    /** Stops reporting; the gateway then drops what this source reported. */
    @Override
    void close();
}
