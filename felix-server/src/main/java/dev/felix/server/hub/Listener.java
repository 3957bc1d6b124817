package dev.felix.server.hub;

import dev.felix.server.store.Entry;
import io.vertx.core.Context;

/** What the hub needs of a session: the event loop that owns it and a way to hand it bytes. */
public interface Listener {

    /** The event loop context that owns this listener; the hub only touches it from there. */
    Context context();

    /**
     * Sends one change, already encoded as a text message shared by every receiver.
     * Called on {@link #context()}.
     */
    void deliver(Entry change, byte[] message);
}
