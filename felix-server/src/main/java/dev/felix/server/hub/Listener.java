package dev.felix.server.hub;

import dev.felix.server.store.Entry;
import io.netty.channel.EventLoop;

/** What the hub needs of a session: the event loop that owns it and a way to hand it bytes. */
public interface Listener {

    /** The event loop that owns this listener; the hub only touches it from there. */
    EventLoop loop();

    /**
     * Sends one change, already encoded as a text message shared by every receiver.
     * Called on {@link #loop()}.
     */
    void deliver(Entry change, byte[] message);
}
