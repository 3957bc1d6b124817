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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
 * <p>The session is the last handler of its channel's pipeline, behind Netty's frame decoder and
 * encoder. Threads: everything here runs on the event loop that accepted the socket ({@link #loop()});
 * the only entry points from other threads are {@link #close} and the hub's hop onto that loop.
 */
final class Session extends ChannelInboundHandlerAdapter implements Listener {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** How long a closed slow consumer gets to take the close frame before its TCP connection is dropped. */
    private static final long SLOW_CLOSE_GRACE_MS = 1000;

    private final Channel ch;
    private final EventLoop loop;
    private final SessionSettings settings;
    private final Hub hub;
    private final Store store;
    private final StatusService status;
    private final TokenRecord token;
    private final String remote;
    private final String userAgent;
    private final WsStats stats;
    private final GatewayMetrics metrics;
    private final Consumer<Session> onClosed;

    private final Map<EntryKind, Set<String>> listened = new EnumMap<>(EntryKind.class);
    /** Per kind, listened ID → seq of the last version sent; only listened IDs are kept. */
    private final Map<EntryKind, Map<String, Long>> lastSent = new EnumMap<>(EntryKind.class);
    /** Whether a snapshot is being read; while one is, updates wait in {@link #held}. */
    private boolean resuming;
    /** A resume asked for while a snapshot was read, to read next; only the latest is kept. */
    private Resume nextResume;
    /** The newest version per entry waiting to be sent once the pending snapshots are read. */
    private final Map<EntryKey, Held> held = new HashMap<>();
    private boolean pongSeen = true;
    private ScheduledFuture<?> pingTimer;
    /** Set once a close frame is written: nothing but the close handshake follows it. */
    private boolean closeSent;
    /** The close code the peer sent, the one this side sent, or 1006 (none) for the log. */
    private int closeCode = WebSocketCloseStatus.ABNORMAL_CLOSURE.code();
    private String closeReason = "";

    /**
     * The text message being assembled from fragments: its bytes so far, or null between
     * messages and for binary ones (which are only counted).
     */
    private ByteBuf partial;
    private long partialSize;

    private boolean slowConsumer;
    /** Messages written and not flushed yet: flushed after the read or the hub's batch that wrote them. */
    private boolean unflushed;
    /** Inbound token bucket: frames that may arrive now, refilled at the configured rate. */
    private double inboundTokens;
    private long inboundRefilledAt = System.nanoTime();
    private boolean rateLimited;

    private record EntryKey(EntryKind kind, String id) {
    }

    /** @param message the encoded update, or null when it was read from the store and not encoded yet */
    private record Held(Entry entry, byte[] message) {
    }

    Session(Channel ch, SessionServices services, TokenRecord token, String remote, String userAgent,
            Consumer<Session> onClosed) {
        this.ch = ch;
        this.loop = ch.eventLoop();
        this.onClosed = onClosed;
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

    /** Called once the 101 response is out. */
    void start() {
        long interval = settings.pingInterval().toMillis();
        pingTimer = loop.scheduleAtFixedRate(this::pingTick, interval, interval, TimeUnit.MILLISECONDS);
        log.info("opened {} (User-Agent: {}) token {}", remote, userAgent, token.id());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pingTimer != null) {
            pingTimer.cancel(false);
        }
        releasePartial();
        hub.remove(this, listened.get(EntryKind.GUILD), listened.get(EntryKind.USER));
        log.info("closed {} (User-Agent: {}) token {} code={} reason={}", remote, userAgent, token.id(), closeCode,
                closeReason);
        onClosed.accept(this);
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    TokenRecord token() {
        return token;
    }

    @Override
    public void deliver(Entry change, byte[] message) {
        if (resuming) {
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

    /** Closes with a code and reason; safe from any thread. The future completes once the socket is closed. */
    Future<Void> close(short code, String reason) {
        Promise<Void> closed = Promise.promise();
        ch.closeFuture().addListener(f -> closed.complete());
        // Hop: onto the session's loop, which owns the socket's state.
        loop.execute(() -> sendClose(code, reason));
        return closed.future();
    }

    /**
     * Starts the close handshake; the peer's close frame ends the connection, or the closing
     * timeout does when it never comes.
     */
    private void sendClose(int code, String reason) {
        if (closeSent || !ch.isActive()) {
            return;
        }
        closeSent = true;
        closeCode = code;
        closeReason = reason;
        ch.writeAndFlush(new CloseWebSocketFrame(code, reason), ch.voidPromise());
        loop.schedule(this::terminate, WsServer.CLOSING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void send(OpCode op, byte[] message) {
        if (fits(message.length)) {
            metrics.messageOut(op);
            // The receivers of one change share its bytes: the frame wraps them, it does not copy them.
            write(new TextWebSocketFrame(Unpooled.wrappedBuffer(message)));
        }
    }

    /** Whether a frame of this size may be queued now; closes the session as a slow consumer if not. */
    private boolean fits(int bytes) {
        if (closeSent || !ch.isActive()) {
            return false;
        }
        long queued = queuedBytes();
        if (queued + bytes > settings.maxQueuedBytes()) {
            closeSlowConsumer(queued, bytes);
            return false;
        }
        return true;
    }

    /** Written now, flushed at the end of the current read or batch. */
    private void write(WebSocketFrame frame) {
        ch.write(frame, ch.voidPromise());
        unflushed = true;
    }

    @Override
    public void flush() {
        if (unflushed) {
            unflushed = false;
            ch.flush();
        }
    }

    /** The end of what one read from the socket gave: the answers to all of it leave in one write. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
    }

    // ---- outbound bound (slow consumers) ----------------------------------------------------

    /** Bytes written to this socket that the operating system has not taken yet. */
    long queuedBytes() {
        ChannelOutboundBuffer pending = ch.unsafe().outboundBuffer();
        return pending == null ? 0 : pending.totalPendingWriteBytes();
    }

    /**
     * Called when a message does not fit under the configured bound of queued bytes, i.e. the
     * client reads slower than it is written to.
     */
    private void closeSlowConsumer(long queued, int messageBytes) {
        if (slowConsumer) {
            return;
        }
        slowConsumer = true;
        stats.slowConsumer();
        log.info("closing {} (User-Agent: {}): slow consumer, {} bytes queued and a {}-byte message over the "
                + "bound of {}", remote, userAgent, queued, messageBytes, settings.maxQueuedBytes());
        sendClose(1008, "slow consumer");
        // The close frame waits behind everything the client has not read; a client that reads
        // nothing would keep the connection and its queued bytes for the whole closing timeout.
        loop.schedule(this::terminate, SLOW_CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    /** Drops the TCP connection without (or without finishing) a close handshake. */
    private void terminate() {
        ch.close();
    }

    private void pingTick() {
        if (!pongSeen) {
            log.info("terminated {} (User-Agent: {}): no pong within {} ms", remote, userAgent,
                    settings.pingInterval().toMillis());
            // No close handshake: a peer that misses pongs is presumed gone.
            terminate();
            return;
        }
        if (!closeSent) {
            pongSeen = false;
            ch.writeAndFlush(new PingWebSocketFrame(), ch.voidPromise());
        }
    }

    // ---- inbound -----------------------------------------------------------------------

    /**
     * Netty refuses a frame over the size limit (or a malformed one) with an exception and reads
     * nothing more from the socket; the close frame written here tells the client why, and the
     * connection ends right after it.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        if (e instanceof CorruptedWebSocketFrameException bad && !closeSent && ch.isActive()) {
            WebSocketCloseStatus status = bad.closeStatus();
            String reason = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
                    ? tooLarge() : "protocol error";
            log.info("closing {} (User-Agent: {}) code={} reason={}: {}", remote, userAgent, status.code(), reason,
                    bad.getMessage());
            closeSent = true;
            closeCode = status.code();
            closeReason = reason;
            ch.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
        } else {
            log.debug("socket error from {}: {}", remote, e.toString());
            ch.close();
        }
    }

    /**
     * A whole text message. Closes with 1007 when it is not valid UTF-8, as RFC 6455 requires (a
     * lenient decode would feed replacement characters on).
     */
    private void onMessage(ByteBuf message) {
        if (ByteBufUtil.isText(message, StandardCharsets.UTF_8)) {
            onText(message.toString(StandardCharsets.UTF_8));
        } else {
            sendClose(1007, "invalid UTF-8");
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
        sendClose(1008, "rate limit exceeded");
        return false;
    }

    private String tooLarge() {
        return "message larger than " + settings.maxMessageBytes() + " bytes";
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        WebSocketFrame frame = (WebSocketFrame) msg;
        try {
            onFrame(frame);
        } finally {
            frame.release();
        }
    }

    private void onFrame(WebSocketFrame frame) {
        if (frame instanceof PingWebSocketFrame) {
            // Pings take from the frame budget, and pongs queue under the same bound as messages:
            // else a client that pings and never reads would grow the outbound queue without limit.
            if (!closeSent && allowInbound() && fits(frame.content().readableBytes())) {
                write(new PongWebSocketFrame(frame.content().retain()));
            }
        } else if (frame instanceof PongWebSocketFrame) {
            pongSeen = true;
            if (!closeSent) {
                allowInbound();
            }
        } else if (frame instanceof CloseWebSocketFrame close) {
            onClose(close);
        } else if (!closeSent && allowInbound()) {
            // Netty's decoder has checked the fragment order (a continuation always follows a
            // start) and the size of each frame.
            if (frame instanceof ContinuationWebSocketFrame) {
                append(frame);
            } else if (frame.isFinalFragment()) {
                if (frame instanceof TextWebSocketFrame) {
                    onMessage(frame.content());
                }
            } else {
                partial = frame instanceof TextWebSocketFrame ? Unpooled.buffer() : null;
                partialSize = 0;
                append(frame);
            }
        }
    }

    /**
     * The peer's close frame (Netty's decoder passes on only the first): the answer to ours, which
     * ends the connection, or its own, which is echoed (RFC 6455 5.5.1) before the connection ends.
     */
    private void onClose(CloseWebSocketFrame close) {
        closeCode = close.statusCode() == -1 ? WebSocketCloseStatus.EMPTY.code() : close.statusCode();
        closeReason = close.reasonText();
        if (closeSent) {
            terminate();
            return;
        }
        closeSent = true;
        CloseWebSocketFrame echo = close.statusCode() == -1 ? new CloseWebSocketFrame()
                : new CloseWebSocketFrame(close.statusCode(), close.reasonText());
        ch.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
    }

    private void append(WebSocketFrame frame) {
        ByteBuf data = frame.content();
        partialSize += data.readableBytes();
        if (partialSize > settings.maxMessageBytes()) {
            releasePartial();
            sendClose(1009, tooLarge());
            return;
        }
        if (partial != null) {
            partial.writeBytes(data);
        }
        if (frame.isFinalFragment()) {
            ByteBuf message = partial;
            partial = null;
            partialSize = 0;
            if (message != null) {
                try {
                    onMessage(message);
                } finally {
                    message.release();
                }
            }
        }
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
        partialSize = 0;
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
            sendClose(1008, "too many IDs in a listeners update (max " + max + " per list)");
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
        if (resuming) {
            // One snapshot read at a time per session, so a client cannot queue reads faster than the
            // store answers them; the latest listeners update is the one that counts.
            nextResume = new Resume(ids, since);
            return;
        }
        resuming = true;
        // Hop: the store answers on its own thread; the result is handled back on this session's loop.
        store.changedSince(ids, since).whenCompleteAsync((entries, error) -> {
            resuming = false;
            if (error != null) {
                log.warn("resume for {} (User-Agent: {}) failed: {}", remote, userAgent, error.toString());
                held.clear();
                nextResume = null;
                sendClose(1011, "resume failed, reconnect and try again");
                return;
            }
            for (Entry entry : entries) {
                // since 0 asks for what exists; a deletion only matters to a client that saw the entry.
                if (!(since == 0 && entry.deleted())) {
                    hold(entry, null);
                }
            }
            Resume next = nextResume;
            nextResume = null;
            if (next != null && ch.isActive()) {
                // Held for entries no longer listened to, they would never be sent: let them go now.
                held.keySet().removeIf(key -> !listened.get(key.kind()).contains(key.id()));
                resume(next.ids(), next.since());
            } else {
                flushHeld();
            }
        }, loop);
    }

    private record Resume(Map<EntryKind, List<String>> ids, long since) {
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
        flush();
    }
}
