package dev.felix.server.hub;

/**
 * A server-to-client WebSocket text frame (RFC 6455 5.2) built around an encoded message. Server frames
 * are not masked, so the same framed bytes can be written to every receiver of a message: the frame is
 * built once per message, never per socket.
 */
public final class TextFrame {
    private static final int FIN_TEXT = 0x81;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    private TextFrame() {
    }

    /** The whole frame: header, then the message (UTF-8, one fragment). */
    public static byte[] of(byte[] message) {
        int n = message.length;
        int header = n < LENGTH_16 ? 2 : n <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + n];
        frame[0] = (byte) FIN_TEXT;
        if (n < LENGTH_16) {
            frame[1] = (byte) n;
        } else if (n <= 0xFFFF) {
            frame[1] = LENGTH_16;
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
        } else {
            frame[1] = LENGTH_64;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        System.arraycopy(message, 0, frame, header, n);
        return frame;
    }
}
