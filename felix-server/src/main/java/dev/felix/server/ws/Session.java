package dev.felix.server.ws;

import dev.felix.protocol.ClientMessage;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.OpCode;
import dev.felix.protocol.Wire;
import dev.felix.server.hub.Hub;
import dev.felix.server.hub.Listener;
import dev.felix.server.metrics.GatewayMetrics;
import dev.felix.server.status.StatusService;
import dev.felix.server.store.Entry;
import dev.felix.server.store.Store;
import dev.felix.server.store.TokenRecord;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.WebSocketInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One client connection: reads its frames, answers heartbeats, keeps its listened sets in the
 * hub, and keeps it alive with pings.
 *
 * <p>Resume: a listeners update with {@code since} is answered with the current state of every
 * listened entry that changed after it, read from the store (at one point in time) after the new
 * sets are in the hub, so every commit is either in that snapshot or delivered live afterwards.
 * While the snapshot is read, live updates are held; then both are merged, the newest version
 * per entry kept, and sent in seq order. Later live updates all have a higher seq or are older
 * versions of snapshot entries, which are dropped: the session remembers the last seq it sent
 * per listened entry and never sends one that is not newer. So the seqs a session sends only
 * grow, and a client may resume from the highest seq it has seen without missing a change.
 *
 * <p>Threads: everything here runs on the event loop that accepted the socket ({@link #context()});
 * the only entry points from other threads are {@link WsServer}'s hops onto that loop.
 */
final class Session implements Listener {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** How long a closed slow consumer gets to take the close frame before its TCP connection is dropped. */
    private static final long SLOW_CLOSE_GRACE_MS = 1000;

    private final ServerWebSocket ws;
    private final Context context;
    private final SessionSettings settings;
    private final Hub hub;
    private final Store store;
    private final StatusService status;
    private final TokenRecord token;
    private final String remote;
    private final String userAgent;
    private final WsStats stats;
    private final GatewayMetrics metrics;

    private final Map<EntryKind, Set<String>> listened = new EnumMap<>(EntryKind.class);
    /** Per kind, listened ID → seq of the last version sent; only listened IDs are kept. */
    private final Map<EntryKind, Map<String, Long>> lastSent = new EnumMap<>(EntryKind.class);
    /** Snapshots being read; while any is, updates wait in {@link #held}. */
    private int snapshotsPending;
    /** The newest version per entry waiting to be sent once the pending snapshots are read. */
    private final Map<EntryKey, Held> held = new HashMap<>();
    private boolean pongSeen = true;
    private long pingTimer = -1;

    /** The message being assembled from fragments: its bytes so far, or null between messages. */
    private Buffer partial;
    private boolean partialIsText;
    private long partialSize;

    /** Bytes handed to the socket whose write has not completed yet. */
    private long queuedBytes;
    private boolean slowConsumer;
    /** Inbound token bucket: frames that may arrive now, refilled at the configured rate. */
    private double inboundTokens;
    private long inboundRefilledAt = System.nanoTime();
    private boolean rateLimited;

    private record EntryKey(EntryKind kind, String id) {
    }

    /** @param message the encoded update, or null when it was read from the store and not encoded yet */
    private record Held(Entry entry, byte[] message) {
    }

    Session(ServerWebSocket ws, Context context, SessionServices services, TokenRecord token, String remote,
            String userAgent) {
        this.ws = ws;
        this.context = context;
        this.settings = services.settings();
        this.hub = services.hub();
        this.store = services.store();
        this.status = services.status();
        this.stats = services.stats();
        this.metrics = services.metrics();
        this.token = token;
        this.remote = remote;
        this.userAgent = userAgent;
        this.inboundTokens = settings.inboundBurst();
        for (EntryKind kind : EntryKind.values()) {
            listened.put(kind, Set.of());
            lastSent.put(kind, new HashMap<>());
        }
    }

    void start(Runnable onClosed) {
        ws.frameHandler(this::onFrame);
        ws.pongHandler(data -> pongSeen = true);
        ws.exceptionHandler(this::onError);
        ws.closeHandler(v -> {
            context.owner().cancelTimer(pingTimer);
            hub.remove(this, listened.get(EntryKind.GUILD), listened.get(EntryKind.USER));
            log.info("closed {} (User-Agent: {}) code={} reason={}", remote, userAgent, ws.closeStatusCode(),
                    ws.closeReason());
            onClosed.run();
        });
        long interval = settings.pingInterval().toMillis();
        pingTimer = context.owner().setPeriodic(interval, interval, id -> pingTick());
        log.info("opened {} (User-Agent: {}) token {}", remote, userAgent, token.id());
    }

    @Override
    public Context context() {
        return context;
    }

    TokenRecord token() {
        return token;
    }

    @Override
    public void deliver(Entry change, byte[] message) {
        if (snapshotsPending > 0) {
            hold(change, message);
        } else if (isNewer(change)) {
            send(change.kind().updateCode(), message);
        }
    }

    /** Records the change as sent when it is newer than what this session last sent for its entry. */
    private boolean isNewer(Entry change) {
        Map<String, Long> sent = lastSent.get(change.kind());
        Long last = sent.get(change.id());
        if (last != null && change.seq() <= last) {
            return false;
        }
        sent.put(change.id(), change.seq());
        return true;
    }

    private void hold(Entry change, byte[] message) {
        EntryKey key = new EntryKey(change.kind(), change.id());
        Held previous = held.get(key);
        if (previous == null || change.seq() > previous.entry().seq()) {
            held.put(key, new Held(change, message));
        }
    }

    /** Closes with a code and reason; safe from any thread. */
    Future<Void> close(short code, String reason) {
        // Hop: onto the session's loop, which owns the socket's state.
        return Future.<Void>future(p -> context.runOnContext(v -> ws.close(code, reason).onComplete(p)));
    }

    private void send(OpCode op, byte[] message) {
        if (!ws.isClosed() && reserveOutbound(message.length)) {
            metrics.messageOut(op);
            ws.writeFrame(Frames.text(message)).onComplete(ar -> releaseOutbound(message.length));
        }
    }

    // ---- outbound bound (slow consumers) ----------------------------------------------------

    /**
     * Counts a message into the bytes waiting for this client; false, after closing the session,
     * when the client reads too slowly for it to fit.
     */
    private boolean reserveOutbound(int length) {
        if (queuedBytes + length > settings.maxQueuedBytes()) {
            closeSlowConsumer();
            return false;
        }
        queuedBytes += length;
        stats.queued(length);
        return true;
    }

    /** Runs on this loop: Vert.x completes write futures on the context that wrote. */
    private void releaseOutbound(int length) {
        queuedBytes -= length;
        stats.queued(-length);
    }

    private void closeSlowConsumer() {
        if (slowConsumer) {
            return;
        }
        slowConsumer = true;
        stats.slowConsumer();
        log.info("closing {} (User-Agent: {}): slow consumer, {} bytes queued", remote, userAgent, queuedBytes);
        ws.close((short) 1008, "slow consumer");
        // The close frame waits behind everything the client has not read; a client that reads
        // nothing would keep the connection and its queued bytes forever. The timer fires on this loop.
        context.owner().setTimer(SLOW_CLOSE_GRACE_MS, id -> terminate());
    }

    /**
     * Drops the TCP connection without a close handshake. Closing from Vert.x's own handler context
     * skips that handler, which would otherwise turn the close into a handshake.
     */
    private void terminate() {
        context.owner().cancelTimer(pingTimer);
        ((WebSocketInternal) ws).channelHandlerContext().close();
    }

    private void pingTick() {
        if (!pongSeen) {
            log.info("terminated {} (User-Agent: {}): no pong within {} ms", remote, userAgent,
                    settings.pingInterval().toMillis());
            // No close handshake: a peer that misses pongs is presumed gone.
            terminate();
            return;
        }
        pongSeen = false;
        ws.writePing(Buffer.buffer());
    }

    // ---- inbound -----------------------------------------------------------------------

    /**
     * Netty refuses a frame over the size limit (or a malformed one) with an exception, and Vert.x
     * then drops the connection right after this handler returns; the close frame written here
     * first tells the client why.
     */
    private void onError(Throwable e) {
        if (e instanceof CorruptedWebSocketFrameException bad) {
            WebSocketCloseStatus status = bad.closeStatus();
            String reason = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
                    ? tooLarge() : "protocol error";
            log.info("closing {} (User-Agent: {}) code={} reason={}: {}", remote, userAgent, status.code(), reason,
                    bad.getMessage());
            ChannelHandlerContext channel = ((WebSocketInternal) ws).channelHandlerContext();
            if (channel.channel().isActive()) {
                channel.writeAndFlush(new CloseWebSocketFrame(status.code(), reason));
            }
        } else {
            log.debug("socket error from {}: {}", remote, e.toString());
        }
    }

    /**
     * The text of a message, or null after closing with 1007 when it is not valid UTF-8, as RFC
     * 6455 requires (Vert.x does not check; a lenient decode would feed replacement characters on).
     */
    private String strictUtf8(Buffer message) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message.getBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            ws.close((short) 1007, "invalid UTF-8");
            return null;
        }
    }

    // ---- inbound rate limit -----------------------------------------------------------------

    /** Takes one frame from the bucket; false, after closing the session, when it is empty. */
    private boolean allowInbound() {
        if (rateLimited) {
            return false;
        }
        long now = System.nanoTime();
        double refill = (now - inboundRefilledAt) * settings.maxInboundPerSecond() / 1e9;
        inboundRefilledAt = now;
        inboundTokens = Math.min(settings.inboundBurst(), inboundTokens + refill);
        if (inboundTokens >= 1) {
            inboundTokens -= 1;
            return true;
        }
        rateLimited = true;
        stats.rateLimit();
        log.info("closing {} (User-Agent: {}): more than {} frames per second", remote, userAgent,
                settings.maxInboundPerSecond());
        ws.close((short) 1008, "rate limit exceeded");
        return false;
    }

    private String tooLarge() {
        return "message larger than " + settings.maxMessageBytes() + " bytes";
    }

    private void onFrame(WebSocketFrame frame) {
        if ((frame.isText() || frame.isBinary() || frame.isContinuation()) && !allowInbound()) {
            return;
        }
        switch (frame.type()) {
            case TEXT, BINARY -> {
                partial = frame.isText() ? Buffer.buffer() : null;
                partialIsText = frame.isText();
                partialSize = 0;
                append(frame);
            }
            case CONTINUATION -> append(frame);
            default -> {
                // ping, pong and close are handled by Vert.x and the handlers above
            }
        }
    }

    private void append(WebSocketFrame frame) {
        Buffer data = frame.binaryData();
        partialSize += data.length();
        if (partialSize > settings.maxMessageBytes()) {
            partial = null;
            partialSize = 0;
            ws.close((short) 1009, tooLarge());
            return;
        }
        if (partialIsText && partial != null) {
            partial.appendBuffer(data);
        }
        if (frame.isFinal()) {
            Buffer message = partial;
            partial = null;
            partialSize = 0;
            if (partialIsText && message != null) {
                String text = strictUtf8(message);
                if (text != null) {
                    onText(text);
                }
            }
        }
    }

    private void onText(String text) {
        ClientMessage message = Wire.decodeClient(text);
        if (message instanceof ClientMessage.Heartbeat) {
            metrics.messageIn(OpCode.HEARTBEAT);
            send(OpCode.HEARTBEAT_ACK, status.ack(System.currentTimeMillis()));
        } else if (message instanceof ClientMessage.ListenersUpdate update) {
            metrics.messageIn(OpCode.LISTENERS_UPDATE);
            listen(update);
        } else {
            metrics.messageIn(null);
        }
    }

    private void listen(ClientMessage.ListenersUpdate update) {
        int max = settings.maxListenIds();
        if (update.users().size() > max || update.guilds().size() > max) {
            ws.close((short) 1008, "too many IDs in a listeners update (max " + max + " per list)");
            return;
        }
        Map<EntryKind, List<String>> resumed = new EnumMap<>(EntryKind.class);
        for (EntryKind kind : EntryKind.values()) {
            Set<String> next = new HashSet<>(update.ids(kind));
            hub.replace(this, kind, listened.get(kind), next);
            listened.put(kind, next);
            lastSent.get(kind).keySet().retainAll(next);
            if (!next.isEmpty()) {
                resumed.put(kind, update.ids(kind));
            }
        }
        if (update.since() != null && !resumed.isEmpty()) {
            resume(resumed, update.since());
        }
    }

    /**
     * Sends the listened entries that changed after {@code since}. Called after the IDs are in the
     * hub, so every commit is either in the store's answer or delivered live afterwards.
     */
    private void resume(Map<EntryKind, List<String>> ids, long since) {
        snapshotsPending++;
        // Hop: the store answers on its own thread; the result is handled back on this session's loop.
        Future.fromCompletionStage(store.changedSince(ids, since), context).onComplete(result -> {
            snapshotsPending--;
            if (result.failed()) {
                log.warn("resume for {} (User-Agent: {}) failed: {}", remote, userAgent, result.cause().toString());
                held.clear();
                ws.close((short) 1011, "resume failed, reconnect and try again");
                return;
            }
            for (Entry entry : result.result()) {
                // since 0 asks for what exists; a deletion only matters to a client that saw the entry.
                if (!(since == 0 && entry.deleted())) {
                    hold(entry, null);
                }
            }
            if (snapshotsPending == 0) {
                flushHeld();
            }
        });
    }

    private void flushHeld() {
        List<Held> ready = new ArrayList<>(held.values());
        held.clear();
        ready.sort(Comparator.comparingLong(h -> h.entry().seq()));
        for (Held h : ready) {
            Entry entry = h.entry();
            if (listened.get(entry.kind()).contains(entry.id()) && isNewer(entry)) {
                send(entry.kind().updateCode(), h.message() != null ? h.message()
                        : Wire.encodeEntryUpdate(entry.kind(), entry.id(), entry.json(), entry.seq()));
            }
        }
    }
}
