package dev.felix.server.hub;

import dev.felix.server.store.Entry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/** What the hub needs of a session: the event loop that owns it and a way to hand it bytes. */
public interface Listener {

    /** The event loop that owns this listener; the hub only touches it from there. */
    EventLoop loop();

    /**
     * Writes one change, already encoded and framed as a WebSocket text frame ({@link TextFrame}) whose
     * bytes every receiver shares, without flushing it: the hub calls {@link #flush()} after a batch of
     * changes. The frame is lent for the call: a listener that keeps or writes it takes a reference of
     * its own ({@link ByteBuf#retainedDuplicate()}) and leaves the frame's indexes alone. Called on
     * {@link #loop()}.
     */
    void deliver(Entry change, ByteBuf frame);

    /** Sends what was written since the last flush, if anything. Called on {@link #loop()}. */
    void flush();
}
