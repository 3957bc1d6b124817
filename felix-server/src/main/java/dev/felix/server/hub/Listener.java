package dev.felix.server.hub;

import dev.felix.server.store.Entry;
import io.netty.channel.EventLoop;

/** What the hub needs of a session: the event loop that owns it and a way to hand it bytes. */
public interface Listener {

    /** The event loop that owns this listener; the hub only touches it from there. */
    EventLoop loop();

    /**
     * Writes one change, already encoded as a text message shared by every receiver, without
     * flushing it: the hub calls {@link #flush()} after a batch of changes. Called on {@link #loop()}.
     */
    void deliver(Entry change, byte[] message);

    /** Sends what was written since the last flush, if anything. Called on {@link #loop()}. */
    void flush();
}
