package dev.felix.server.ws;

/**
 * Who is at the other end of a connection, as every log line about it names them.
 *
 * @param remote    {@code host:port} of the peer
 * @param userAgent its User-Agent, cut to a length that keeps log lines short
 * @param tokenId   the token it upgraded with
 */
record Peer(String remote, String userAgent, long tokenId) {
    @Override
    public String toString() {
        return remote + " (User-Agent: " + userAgent + ")";
    }
}
