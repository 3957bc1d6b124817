package dev.felix.server.ws;

import dev.felix.server.hub.TextFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The heartbeat ACK last framed on an event loop. The status hands out the same encoded ACK for every
 * heartbeat of one millisecond, so the sockets of a loop that answer within it write duplicates of one
 * framed buffer, as the receivers of an update do, instead of each framing and copying its own.
 * Each loop thread has its own, touched only by that thread; its frame is released when the thread ends.
 */
final class AckFrames {
    private static final FastThreadLocal<AckFrames> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected AckFrames initialValue() {
            return new AckFrames();
        }

        @Override
        protected void onRemoval(AckFrames frames) {
            frames.release();
        }
    };

    private byte[] message;
    private ByteBuf frame;

    private AckFrames() {
    }

    /** A frame of {@code message} (an ACK as the status encoded it) that the caller owns. */
    static ByteBuf frame(ByteBufAllocator alloc, byte[] message) {
        return PER_LOOP.get().framed(alloc, message);
    }

    private ByteBuf framed(ByteBufAllocator alloc, byte[] next) {
        // By identity: the status returns the same array for as long as the ACK stays the same.
        if (next != message) {
            release();
            frame = TextFrame.of(alloc, next);
            message = next;
        }
        return frame.retainedDuplicate();
    }

    private void release() {
        if (frame != null) {
            frame.release();
            frame = null;
            message = null;
        }
    }
}
