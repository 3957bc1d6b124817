package dev.felix.client.internal;

import dev.felix.client.ConnectionClosedException;
import dev.felix.client.ConnectionState;
import dev.felix.client.FelixClient;
import dev.felix.client.FelixHandshakeException;
import dev.felix.client.FelixListener;
import dev.felix.protocol.ClientMessage;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.ServerMessage;
import dev.felix.protocol.Wire;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The client behind {@link FelixClient}.
 *
 * <p>Threads: connection work (handshakes, heartbeats, sends, reconnect waits) runs on one
 * {@code felix-client-timer-N} thread, so the connection fields need no locks; the JDK's WebSocket
 * calls {@link Connection} on its own threads, which decode and hand over to the timer thread
 * (state) or to the one {@code felix-client-events-N} thread (listener calls, in arrival order).
 */
public final class FelixClientImpl implements FelixClient {
    private static final System.Logger log = System.getLogger(FelixClient.class.getName());
    private static final AtomicInteger IDS = new AtomicInteger();
    /** How long a connection must last before a drop counts as new trouble and the backoff starts over. */
    private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** One HTTP client for every FelixClient: its selector thread and pool are shared. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ClientSettings settings;
    private final Backoff backoff;
    private final ScheduledExecutorService timer;
    private final ExecutorService events;
    private volatile Thread eventThread;
    private final List<FelixListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong highestSeq = new AtomicLong();

    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Throwable failure;
    private volatile ServerMessage.HeartbeatAck latest;
    /** The sets the application asked for; null until the first {@link #listen}. */
    private volatile ClientMessage.ListenersUpdate sets;

    // Timer thread only.
    private Connection connection;
    private ScheduledFuture<?> heartbeat;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private int attempt;
    private boolean setsSentBefore;

    private FelixClientImpl(ClientSettings settings, List<FelixListener> initial) {
        this.settings = settings;
        this.backoff = new Backoff(settings.minBackoff(), settings.maxBackoff(),
                () -> ThreadLocalRandom.current().nextDouble());
        int id = IDS.incrementAndGet();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "felix-client-timer-" + id));
        // A reconnect scheduled for later must not keep the thread alive past close().
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = timer;
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = daemon(r, "felix-client-events-" + id);
            eventThread = t;
            return t;
        });
        listeners.addAll(initial);
    }

    public static FelixClient start(ClientSettings settings, List<FelixListener> listeners) {
        FelixClientImpl client = new FelixClientImpl(settings, listeners);
        client.timer.execute(client::connect);
        return client;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ---- API ------------------------------------------------------------------------------

    @Override
    public void listen(Collection<String> users, Collection<String> guilds) {
        sets = new ClientMessage.ListenersUpdate(distinct(users), distinct(guilds), null);
        onTimer(() -> {
            if (connection != null) {
                sendSets(connection, null);
            }
        });
    }

    private static List<String> distinct(Collection<String> ids) {
        return new ArrayList<>(new LinkedHashSet<>(ids));
    }

    @Override
    public Optional<ServerMessage.HeartbeatAck> latestStatus() {
        return Optional.ofNullable(latest);
    }

    @Override
    public ConnectionState state() {
        return state;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void addListener(FelixListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(FelixListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        if (!setState(ConnectionState.CLOSED, null)) {
            return;
        }
        onTimer(() -> {
            Connection c = connection;
            dropConnection();
            if (c != null) {
                c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS)
                        .whenComplete((ws, e) -> c.ws.abort());
            }
        });
        stopThreads();
        if (Thread.currentThread() != eventThread) {
            awaitQuietly(timer);
            awaitQuietly(events);
        }
    }

    // ---- connection work (timer thread) -------------------------------------------------------

    private void connect() {
        if (!setState(ConnectionState.CONNECTING, null)) {
            return;
        }
        String token;
        try {
            token = settings.token().get();
            if (token == null || token.isBlank()) {
                throw new IllegalStateException("the token supplier gave no token");
            }
        } catch (RuntimeException e) {
            scheduleReconnect(e);
            return;
        }
        Connection c = new Connection();
        HTTP.newWebSocketBuilder()
                .connectTimeout(settings.connectTimeout())
                .header("Authorization", token)
                .header("User-Agent", settings.userAgent())
                .buildAsync(settings.url(), c)
                .whenComplete((ws, error) -> {
                    boolean handed = onTimer(() -> opened(c, ws, error));
                    if (!handed && ws != null) {
                        ws.abort();
                    }
                });
    }

    private void opened(Connection c, WebSocket ws, Throwable error) {
        if (state.isTerminal()) {
            if (ws != null) {
                ws.abort();
            }
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof WebSocketHandshakeException h && isAuthRefusal(h.getResponse().statusCode())) {
                FelixHandshakeException refused = new FelixHandshakeException(h.getResponse().statusCode(),
                        "the server refused the token (HTTP " + h.getResponse().statusCode()
                                + "): use a valid, unrevoked private token");
                // A supplier may give a good token next time (a session token that expired meanwhile).
                if (settings.fixedToken()) {
                    fail(refused);
                } else {
                    scheduleReconnect(refused);
                }
            } else {
                scheduleReconnect(cause);
            }
            return;
        }
        c.ws = ws;
        if (c.closedEarly) {
            ws.abort();
            scheduleReconnect(new IllegalStateException("connection closed while it opened"));
            return;
        }
        c.lastHeardNanos = System.nanoTime();
        c.openedNanos = c.lastHeardNanos;
        connection = c;
        sendChain = CompletableFuture.completedFuture(null);
        setState(ConnectionState.CONNECTED, null);
        if (sets != null) {
            // After a reconnect, since asks a resuming server for what changed while we were away.
            sendSets(c, setsSentBefore ? highestSeq.get() : null);
        }
        long every = settings.heartbeatInterval().toMillis();
        heartbeat = timer.scheduleAtFixedRate(() -> beat(c), 0, every, TimeUnit.MILLISECONDS);
    }

    private void beat(Connection c) {
        long silentMillis = (System.nanoTime() - c.lastHeardNanos) / 1_000_000;
        // The server need not say anything between heartbeats, however far apart they are.
        if (silentMillis > settings.heartbeatInterval().toMillis() + settings.silenceTimeout().toMillis()) {
            dropped(c, new TimeoutException("no message from the server for " + silentMillis + " ms"));
        } else {
            send(c, Wire.encodeHeartbeat());
        }
    }

    private static boolean isAuthRefusal(int status) {
        return status == 401 || status == 403;
    }

    private void sendSets(Connection c, Long since) {
        ClientMessage.ListenersUpdate s = sets;
        send(c, Wire.encodeListenersUpdate(new ClientMessage.ListenersUpdate(s.users(), s.guilds(), since)));
        setsSentBefore = true;
    }

    /** The JDK WebSocket allows one outstanding send, so sends are chained. */
    private void send(Connection c, String text) {
        if (connection != c) {
            return;
        }
        sendChain = sendChain.exceptionally(e -> null).thenCompose(x -> c.ws.sendText(text, true));
    }

    private void dropped(Connection c, Throwable cause) {
        if (connection != c) {
            c.closedEarly = true;
            return;
        }
        dropConnection();
        c.ws.abort();
        // Only a connection that lasted starts the backoff over: one the server closes right after
        // the handshake (an ID list over its limit, say) would otherwise be retried at once, forever.
        if (System.nanoTime() - c.openedNanos >= STABLE_NANOS) {
            attempt = 0;
        }
        if (!state.isTerminal()) {
            scheduleReconnect(cause);
        }
    }

    private void dropConnection() {
        connection = null;
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }

    private void scheduleReconnect(Throwable cause) {
        if (!setState(ConnectionState.DISCONNECTED, cause)) {
            return;
        }
        var delay = backoff.delay(attempt++);
        log.log(System.Logger.Level.DEBUG, "connection to {0} lost ({1}); reconnecting in {2} ms",
                settings.url(), cause, delay.toMillis());
        try {
            timer.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            log.log(System.Logger.Level.DEBUG, "client closed before reconnecting");
        }
    }

    private void fail(FelixHandshakeException e) {
        synchronized (this) {
            if (state.isTerminal()) {
                return;
            }
            failure = e;
            setState(ConnectionState.FAILED, e);
        }
        stopThreads();
    }

    // ---- plumbing -------------------------------------------------------------------------------

    /** Moves to a state and tells the listeners; false once the client is FAILED or CLOSED. */
    private synchronized boolean setState(ConnectionState next, Throwable cause) {
        if (state.isTerminal()) {
            return false;
        }
        state = next;
        dispatch(l -> l.onStateChange(next, cause));
        return true;
    }

    /** Runs work on the timer thread; false when the client has stopped. */
    private boolean onTimer(Runnable work) {
        try {
            timer.execute(work);
            return true;
        } catch (RejectedExecutionException stopped) {
            return false;
        }
    }

    /**
     * As {@link #dispatch}, for what the server sent: a backlog a slow listener has not taken yet is
     * dropped once the client is closed, so close() does not wait for it.
     */
    private void dispatchData(Consumer<FelixListener> call) {
        dispatch(l -> {
            if (!state.isTerminal()) {
                call.accept(l);
            }
        });
    }

    /** Hop to the event thread: every listener call happens there, in order. */
    private void dispatch(Consumer<FelixListener> call) {
        try {
            events.execute(() -> {
                for (FelixListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        log.log(System.Logger.Level.WARNING, "a Felix client listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException stopped) {
            log.log(System.Logger.Level.DEBUG, "event after the client stopped, dropped");
        }
    }

    /** Lets queued work (the last state change, the close frame) finish, then ends both threads. */
    private void stopThreads() {
        timer.execute(() -> {
            timer.shutdown();
            events.shutdown();
        });
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One WebSocket connection; the JDK calls it on its own threads. */
    private final class Connection implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket ws;
        volatile long lastHeardNanos = System.nanoTime();
        /** When {@link #opened} made it current; timer thread only. */
        long openedNanos;
        /** Set on the timer thread when the socket closed before {@link #opened} made it current. */
        boolean closedEarly;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            // The JDK answers the pong itself; a ping is still a sign of life.
            lastHeardNanos = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lastHeardNanos = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                received(Wire.decodeServer(text));
            }
            webSocket.request(1);
            return null;
        }

        private void received(ServerMessage message) {
            if (message instanceof ServerMessage.EntryUpdate update) {
                highestSeq.accumulateAndGet(update.seq(), Math::max);
                if (update.kind() == EntryKind.GUILD) {
                    dispatchData(l -> l.onGuildUpdate(update));
                } else {
                    dispatchData(l -> l.onUserUpdate(update));
                }
            } else if (message instanceof ServerMessage.HeartbeatAck ack) {
                latest = ack;
                dispatchData(l -> l.onStatus(ack));
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            onTimer(() -> dropped(this, new ConnectionClosedException(statusCode, reason)));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            onTimer(() -> dropped(this, error));
        }
    }
}
