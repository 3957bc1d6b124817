package dev.felix.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a plain socket that writes frames byte by byte, so tests can send what
 * no well-behaved client library would: broken UTF-8, bad fragments, unmasked or reserved-bit
 * frames, and can stop reading altogether. It does exactly what a test tells it and nothing more:
 * in particular it never answers a ping (every real client library does).
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    /** The HTTP status of the upgrade answer (101 when upgraded), or 0 before an upgrade was asked. */
    private int status;

    /** A frame the server sent. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        public String text() {
            int from = opcode == CLOSE ? Math.min(2, payload.length) : 0;
            return new String(payload, from, payload.length - from, StandardCharsets.UTF_8);
        }
    }

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Opens a TCP connection and nothing more. */
    public static RawWebSocket open(int port, int receiveBufferBytes) throws IOException {
        return open(port, receiveBufferBytes, null);
    }

    private static RawWebSocket open(int port, int receiveBufferBytes, InetSocketAddress local) throws IOException {
        Socket s = new Socket();
        s.bind(local);
        if (receiveBufferBytes > 0) {
            s.setReceiveBufferSize(receiveBufferBytes);
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(20_000);
        return new RawWebSocket(s);
    }

    /** Connects and completes the upgrade; fails unless the server answers 101. */
    public static RawWebSocket connect(int port, String authorization) throws IOException {
        return connect(port, authorization, 0);
    }

    public static RawWebSocket connect(int port, String authorization, int receiveBufferBytes) throws IOException {
        RawWebSocket ws = open(port, receiveBufferBytes);
        String status = ws.upgrade(port, authorization, "raw-test");
        if (ws.status != 101) {
            ws.close();
            throw new IOException("upgrade refused: " + status);
        }
        return ws;
    }

    /**
     * Asks for the upgrade and keeps the connection whatever the answer ({@link #status()});
     * {@code authorization} and {@code userAgent} are left out when null.
     */
    public static RawWebSocket handshake(int port, String authorization, String userAgent) throws IOException {
        return handshake(port, authorization, userAgent, null);
    }

    /** As {@link #handshake(int, String, String)}, from this local address (null: any). */
    public static RawWebSocket handshake(int port, String authorization, String userAgent, InetSocketAddress local)
            throws IOException {
        RawWebSocket ws = open(port, 0, local);
        ws.upgrade(port, authorization, userAgent);
        return ws;
    }

    /** Sends the upgrade request and returns the response's status line. */
    private String upgrade(int port, String authorization, String userAgent) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET / HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (userAgent == null ? "" : "User-Agent: " + userAgent + "\r\n")
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String response = readHead(in);
        String statusLine = response.substring(0, response.indexOf("\r\n"));
        status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        return statusLine;
    }

    /** An HTTP response's status line and headers, read byte by byte so nothing after them is taken. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** The HTTP status the server answered the upgrade with: 101 when upgraded. */
    public int status() {
        return status;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public InputStream input() {
        return in;
    }

    /** A client frame as the protocol requires it: masked, no reserved bits. */
    public void frame(int opcode, boolean fin, byte[] payload) throws IOException {
        frame(opcode, fin, payload, true, 0);
    }

    /** Any frame, including ones the protocol forbids (unmasked, reserved bits {@code rsv} 0-7). */
    public void frame(int opcode, boolean fin, byte[] payload, boolean masked, int rsv) throws IOException {
        out.write(encode(opcode, fin, payload, masked, rsv));
        out.flush();
    }

    public void text(String text) throws IOException {
        frame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    public void write(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    public static byte[] encode(int opcode, boolean fin, byte[] payload, boolean masked, int rsv) {
        int len = payload.length;
        int headerLen = 2 + (len < 126 ? 0 : len < 65536 ? 2 : 8) + (masked ? 4 : 0);
        ByteBuffer b = ByteBuffer.allocate(headerLen + len);
        b.put((byte) ((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)));
        int maskBit = masked ? 0x80 : 0;
        if (len < 126) {
            b.put((byte) (maskBit | len));
        } else if (len < 65536) {
            b.put((byte) (maskBit | 126)).putShort((short) len);
        } else {
            b.put((byte) (maskBit | 127)).putLong(len);
        }
        byte[] mask = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(mask);
            b.put(mask);
        }
        for (int i = 0; i < len; i++) {
            b.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return b.array();
    }

    /** The next frame from the server; throws {@link EOFException} when the connection ended. */
    public Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
    }

    /** Every frame the server sends until it ends the connection. */
    public List<Frame> readUntilEnd() throws IOException {
        List<Frame> frames = new ArrayList<>();
        try {
            while (true) {
                frames.add(read());
            }
        } catch (EOFException | java.net.SocketException e) {
            return frames;
        }
    }

    /** Reads until the server's close frame and returns it, or null when the connection ends without one. */
    public Frame readUntilClose() throws IOException {
        try {
            while (true) {
                Frame f = read();
                if (f.opcode() == CLOSE) {
                    return f;
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return null;
        }
    }

    /** Ends the connection with a TCP reset (SO_LINGER 0), as a client that crashed or a middlebox does. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
