package dev.felix.server.connections;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The open connections of both ports, counted in one place: at most {@code --max-connections} in
 * all and {@code --max-connections-per-ip} from one address. A connection over a limit is answered
 * 503 and closed as soon as it is accepted, before it holds anything but its socket, so the
 * process's file table never fills. Thread-safe; called on the event loops.
 */
public final class ConnectionLimits {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimits.class);
    /** File descriptors kept free of connections when the limit follows the process's own: the store, logs, jars. */
    private static final long RESERVED_FILES = 256;
    private static final String REFUSED_BODY = "too many connections\n";
    private static final byte[] REFUSED = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            + "Retry-After: 1\r\nConnection: close\r\nContent-Length: " + REFUSED_BODY.length() + "\r\n\r\n"
            + REFUSED_BODY).getBytes(StandardCharsets.US_ASCII);

    /** The two ports, as the metrics name them. */
    public enum Port {
        WS, HTTP
    }

    /** Which limit refused a connection. */
    public enum Limit {
        TOTAL, PER_IP
    }

    private final int max;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLongArray refused = new AtomicLongArray(Port.values().length * Limit.values().length);
    private final RateLimitedLog refusals = new RateLimitedLog(log, "connections refused at a limit");
    /** The end of a connection not counted per address: one listener for all of them, as it captures nothing. */
    private final ChannelFutureListener releaseUncounted = f -> open.decrementAndGet();

    /**
     * @param max           most open connections over both ports; 0 for the process's open-file limit
     *                      less {@value #RESERVED_FILES}
     * @param maxPerAddress most open connections from one IP address; 0 for no such limit
     */
    public ConnectionLimits(int max, int maxPerAddress) {
        this.max = max > 0 ? max : fromOpenFileLimit();
        this.maxPerAddress = maxPerAddress;
    }

    private static int fromOpenFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long files = unix.getMaxFileDescriptorCount();
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, files - RESERVED_FILES));
        }
        return Integer.MAX_VALUE;
    }

    /** The total limit in force. */
    public int max() {
        return max;
    }

    /**
     * Counts a new connection until it closes, or refuses it (503 on a plain connection, else a
     * close) when a limit is reached.
     *
     * @return whether the connection may go on
     */
    public boolean admit(Channel ch, Port port) {
        InetAddress address = ch.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        Limit over = take(address);
        if (over == null) {
            ch.closeFuture().addListener(counted(address) ? f -> release(address) : releaseUncounted);
            return true;
        }
        refused.incrementAndGet(port.ordinal() * Limit.values().length + over.ordinal());
        refusals.info("refused a {} connection from {}: {} open {}", port.name().toLowerCase(), address,
                over == Limit.TOTAL ? max + " connections" : maxPerAddress + " connections from this address",
                over == Limit.TOTAL ? "(--max-connections)" : "(--max-connections-per-ip)");
        if (ch.pipeline().get(SslHandler.class) == null) {
            // Written from the head of the pipeline, past any HTTP codec: the request was never read.
            ch.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(REFUSED))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
        return false;
    }

    /** Whether connections from this address are counted per address. */
    private boolean counted(InetAddress address) {
        return maxPerAddress > 0 && address != null;
    }

    private Limit take(InetAddress address) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return Limit.TOTAL;
        }
        if (counted(address)) {
            boolean[] full = {false};
            // Checked and counted atomically per key, as release drops a count that reaches zero: a
            // counter fetched outside the map's lock could be dropped before it was incremented.
            perAddress.compute(address, (a, n) -> {
                int count = n == null ? 0 : n;
                full[0] = count >= maxPerAddress;
                return full[0] ? n : count + 1;
            });
            if (full[0]) {
                open.decrementAndGet();
                return Limit.PER_IP;
            }
        }
        return null;
    }

    private void release(InetAddress address) {
        open.decrementAndGet();
        if (counted(address)) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Connections open now, over both ports. */
    public int open() {
        return open.get();
    }

    /** Connections refused since start on this port at this limit. */
    public long refused(Port port, Limit limit) {
        return refused.get(port.ordinal() * Limit.values().length + limit.ordinal());
    }
}
