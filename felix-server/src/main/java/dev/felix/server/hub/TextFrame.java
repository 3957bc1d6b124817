package dev.felix.server.hub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A server-to-client WebSocket text frame (RFC 6455 5.2) built around an encoded message. Server frames
 * are not masked, so the same framed bytes can be written to every receiver of a message: the frame is
 * built once per message, never per socket, in direct memory, where the socket's {@code writev} reads it
 * without another copy.
 */
public final class TextFrame {
    private static final int FIN_TEXT = 0x81;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    private TextFrame() {
    }

    /** The whole frame, header then the message (UTF-8, one fragment), in a direct buffer the caller owns. */
    public static ByteBuf of(ByteBufAllocator alloc, byte[] message) {
        int n = message.length;
        int header = n < LENGTH_16 ? 2 : n <= 0xFFFF ? 4 : 10;
        ByteBuf frame;
        try {
            frame = alloc.directBuffer(header + n, header + n);
        } catch (OutOfMemoryError directMemoryExhausted) {
            // Slow sockets may hold frames until direct memory runs out; a committed change must still
            // reach its listeners, so it goes out from the heap (Netty copies it per socket then).
            frame = alloc.heapBuffer(header + n, header + n);
        }
        frame.writeByte(FIN_TEXT);
        if (n < LENGTH_16) {
            frame.writeByte(n);
        } else if (n <= 0xFFFF) {
            frame.writeByte(LENGTH_16);
            frame.writeShort(n);
        } else {
            frame.writeByte(LENGTH_64);
            frame.writeLong(n);
        }
        frame.writeBytes(message);
        return frame;
    }
}
