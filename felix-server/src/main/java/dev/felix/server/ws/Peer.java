package dev.felix.server.ws;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who is at the other end of a connection, as every log line about it names them.
 *
 * @param address   the peer's address, the channel's own object (its text is made only for a log line)
 * @param userAgent its User-Agent, cut to a length that keeps log lines short
 * @param tokenId   the token it upgraded with
 */
record Peer(SocketAddress address, String userAgent, long tokenId) {

    /** {@code host:port} of the peer, as logged. */
    String remote() {
        return format(address);
    }

    /** {@code host:port} of an address, as logged. */
    static String format(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : String.valueOf(address);
    }

    @Override
    public String toString() {
        return remote() + " (User-Agent: " + userAgent + ")";
    }
}
