package dev.felix.bench;

import dev.felix.protocol.Wire;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code felix bench soak}: a long mixed load on one server, reported every interval. Each kind of
 * client runs on its own thread and blocks on its sockets' futures, whose handlers run on the
 * Vert.x event loops.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "A long mixed load: listeners heartbeating every second, a steady write load, reconnect storms "
                + "and clients that stop reading. Prints writes, updates, reconnects, slow clients cut off, the "
                + "server's RSS (with --server-pid), heartbeat/update/write latency (p50/p99/max, ms) and errors "
                + "every interval; exits 1 when any error was seen.")
final class SoakCommand implements Callable<Integer> {
    /** Guilds every listener and slow client listens to, and the writer updates in turn. */
    private static final List<String> GUILDS = FanoutScenario.guildIds(10);
    /** A slow client's life: the kernel's buffers absorb the first megabytes before the server's bound is reached. */
    private static final long SLOW_LIFE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** A slow client's receive buffer: small, so that it holds little of what the server sends. */
    private static final int SLOW_RECEIVE_BUFFER = 4096;
    /** How long a slow client that reads again waits for the close of a server that cut it off. */
    private static final long SLOW_DRAIN_SECONDS = 2;
    private static final int HTTP_CONNECTIONS = 16;

    @Mixin
    Target target;

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "300",
            description = "Length of the run (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--report-every", paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds between report lines (default: ${DEFAULT-VALUE}).")
    int reportEvery;

    @Option(names = "--listeners", paramLabel = "N", defaultValue = "20",
            description = "Clients listening to every guild written, each heartbeating once a second and reconnecting "
                    + "when dropped (default: ${DEFAULT-VALUE}).")
    int listeners;

    @Option(names = "--writes-per-second", paramLabel = "N", defaultValue = "50",
            description = "PUTs per second over the listened guilds (default: ${DEFAULT-VALUE}).")
    int writesPerSecond;

    @Option(names = "--storm", paramLabel = "N", defaultValue = "10",
            description = "Connections opened every second that heartbeat once and leave, half of them without a "
                    + "close frame (default: ${DEFAULT-VALUE}).")
    int storm;

    @Option(names = "--slow", paramLabel = "N", defaultValue = "2",
            description = "Clients that listen to every guild and stop reading, for the server to cut off; each "
                    + "lives 30 s, then the next one starts (default: ${DEFAULT-VALUE}).")
    int slow;

    @Option(names = "--pad", paramLabel = "BYTES", defaultValue = "4096",
            description = "Approximate size of each written entry (default: ${DEFAULT-VALUE}).")
    int pad;

    @Option(names = "--ack-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "How long a heartbeat may go unanswered before it counts as an error "
                    + "(default: ${DEFAULT-VALUE}).")
    int ackTimeout;

    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder updates = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder slowCutOff = new LongAdder();
    private final ConcurrentHistogram heartbeatRtt = new ConcurrentHistogram(Result.MAX_MICROS, 3);
    private final ConcurrentHistogram updateLatency = new ConcurrentHistogram(Result.MAX_MICROS, 3);
    private final HttpClient jdkClient = HttpClient.newHttpClient();
    private Clients clients;
    private Writer writer;
    private Timing.Window run;

    @Override
    public Integer call() {
        target.validate();
        if (duration < 1 || reportEvery < 1 || writesPerSecond < 1 || ackTimeout < 1) {
            throw new IllegalArgumentException("--duration, --report-every, --writes-per-second and --ack-timeout "
                    + "must be at least 1");
        }
        if (listeners < 0 || storm < 0 || slow < 0 || pad < 0) {
            throw new IllegalArgumentException("--listeners, --storm, --slow and --pad must be at least 0");
        }
        try (Clients c = new Clients(target, HTTP_CONNECTIONS)) {
            clients = c;
            return soak(spec.commandLine().getOut());
        }
    }

    private int soak(PrintWriter out) {
        long start = System.nanoTime();
        run = new Timing.Window(start, start + TimeUnit.SECONDS.toNanos(duration));
        writer = new Writer(clients, GUILDS, pad);
        writer.measure(run);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < listeners; i++) {
            threads.add(start("soak-listener-" + i, this::listener));
        }
        threads.add(start("soak-storm", this::storm));
        WebSocketClient slowSockets = clients.vertx.createWebSocketClient(
                Clients.wsOptions(null).setReceiveBufferSize(SLOW_RECEIVE_BUFFER));
        for (int i = 0; i < slow; i++) {
            threads.add(start("soak-slow-" + i, () -> slowClient(slowSockets)));
        }
        // Up to 10 s of writes in flight; a server further behind skips writes, counted as errors.
        writer.start(writesPerSecond, 1, writesPerSecond * 10);
        Interval heartbeats = new Interval(heartbeatRtt);
        Interval updateTimes = new Interval(updateLatency);
        Interval writeTimes = new Interval(writer.latency);
        out.printf("%8s %8s %8s %8s %6s %10s %22s %22s %22s %s%n", "t(s)", "writes", "updates",
                "reconn", "slowcut", "rss(MiB)", "heartbeat p50/p99/max", "update p50/p99/max",
                "write p50/p99/max", "errors");
        long every = TimeUnit.SECONDS.toMillis(reportEvery);
        while (running()) {
            ScenarioCommand.sleep(Math.min(every, Math.max(1, millisUntil(run.until()))));
            out.printf("%8d %8d %8d %8d %6d %10s %22s %22s %22s %s%n",
                    Math.round((System.nanoTime() - start) / 1e9), writer.ok.sum(), updates.sum(),
                    reconnects.sum(), slowCutOff.sum(), rssMiB(), heartbeats.next(), updateTimes.next(),
                    writeTimes.next(), errors());
        }
        writer.stop();
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(ackTimeout + 15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        writer.drain();
        Map<String, Long> seen = errors();
        long total = seen.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            out.println("soak passed: no errors");
            return 0;
        }
        out.println("soak FAILED: " + total + " errors " + seen);
        Result refused = new Result();
        clients.refusals.addTo(refused);
        Refusals.explain(refused).forEach(line -> out.println("  " + line));
        return 1;
    }

    private boolean running() {
        return System.nanoTime() - run.until() < 0;
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Every error so far by kind, the writer's included. */
    private Map<String, Long> errors() {
        Map<String, Long> sorted = new TreeMap<>();
        errors.forEach((kind, n) -> sorted.put(kind, n.sum()));
        writer.failures().forEach((why, n) -> sorted.put("write " + why, n));
        if (writer.skipped.sum() > 0) {
            sorted.put("write skipped", writer.skipped.sum());
        }
        return sorted;
    }

    private String rssMiB() {
        long kib = target.serverPid == null ? -1 : Rss.kib(target.serverPid);
        return kib < 0 ? "?" : Long.toString(kib / 1024);
    }

    /** What {@code f} completed with, or null when it failed or took longer than a minute. */
    private static <T> T await(Future<T> f) {
        try {
            return f.await(1, TimeUnit.MINUTES);
        } catch (Exception e) {
            return null;
        }
    }

    private static long millisUntil(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(nanoTime - System.nanoTime());
    }

    private static long micros(long nanos) {
        return Math.min(Result.MAX_MICROS, nanos / 1000);
    }

    /** Listens to every guild and heartbeats once a second; reconnects when dropped. */
    private void listener() {
        while (running()) {
            Conn conn = await(clients.connectOne());
            if (conn == null) {
                error("listener connect");
                ScenarioCommand.sleep(1000);
                continue;
            }
            BlockingQueue<Long> acks = new LinkedBlockingQueue<>();
            conn.onAck(acks::add);
            conn.onUpdate(this::updated);
            conn.listen(GUILDS);
            while (running()) {
                Long rtt = conn.heartbeat() ? ack(conn, acks) : null;
                if (rtt == null) {
                    error(conn.closed ? "listener dropped" : "heartbeat timeout");
                    break;
                }
                heartbeatRtt.recordValue(micros(rtt));
                ScenarioCommand.sleep(1000);
            }
            conn.ws.close();
            if (running()) {
                reconnects.increment();
            }
        }
    }

    /**
     * The next heartbeat's round trip in nanoseconds, or null when none came within the ACK timeout or
     * the socket closed first (looked at every 100 ms, so a dropped listener is not waited on for long).
     */
    private Long ack(Conn conn, BlockingQueue<Long> acks) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(ackTimeout);
        try {
            Long rtt = null;
            while (rtt == null && !conn.closed && System.nanoTime() - until < 0) {
                rtt = acks.poll(Math.min(100, Math.max(1, millisUntil(until))), TimeUnit.MILLISECONDS);
            }
            return rtt;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void updated(String text) {
        long sent = Messages.sentAt(text);
        if (run.contains(sent)) {
            updates.increment();
            updateLatency.recordValue(micros(System.nanoTime() - sent));
        }
    }

    /** Every second, a burst of connections that heartbeat once and leave, half of them abruptly. */
    private void storm() {
        while (running()) {
            List<Future<Conn>> polite = new ArrayList<>();
            List<CompletableFuture<java.net.http.WebSocket>> abrupt = new ArrayList<>();
            for (int i = 0; i < storm; i++) {
                if (i % 2 == 0) {
                    polite.add(clients.connectOne());
                } else {
                    abrupt.add(abruptClient());
                }
            }
            for (Future<Conn> f : polite) {
                Conn conn = await(f);
                if (conn == null) {
                    error("storm connect");
                    continue;
                }
                CompletableFuture<Long> ack = new CompletableFuture<>();
                conn.onAck(ack::complete);
                try {
                    if (!conn.heartbeat()) {
                        throw new IllegalStateException("closed");
                    }
                    ack.get(ackTimeout, TimeUnit.SECONDS);
                } catch (Exception e) {
                    error("storm heartbeat");
                }
                conn.ws.close();
            }
            for (CompletableFuture<java.net.http.WebSocket> f : abrupt) {
                try {
                    f.get(ackTimeout, TimeUnit.SECONDS).abort();
                } catch (ExecutionException e) {
                    error(e.getCause() instanceof StormHeartbeatFailed ? "storm heartbeat" : "storm connect");
                } catch (Exception e) {
                    error("storm heartbeat");
                    f.thenAccept(java.net.http.WebSocket::abort);
                }
            }
            ScenarioCommand.sleep(1000);
        }
    }

    /**
     * A storm client that heartbeats once and then drops its TCP connection without a close frame, as a
     * crashed client would. It is the JDK's WebSocket, which can abort; Vert.x's has no public call for it.
     * Completes with the socket once the server has answered the heartbeat.
     */
    private CompletableFuture<java.net.http.WebSocket> abruptClient() {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                acked.complete(null);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
                acked.completeExceptionally(new StormHeartbeatFailed());
                return null;
            }

            @Override
            public void onError(java.net.http.WebSocket ws, Throwable error) {
                acked.completeExceptionally(new StormHeartbeatFailed());
            }
        };
        return jdkClient.newWebSocketBuilder().header("Authorization", target.token)
                .buildAsync(URI.create(target.url), listener)
                .thenCompose(ws -> ws.sendText(Wire.encodeHeartbeat(), true))
                .thenCompose(ws -> acked.thenApply(v -> ws));
    }

    /** The abrupt storm client connected, but its heartbeat was not answered. */
    private static final class StormHeartbeatFailed extends RuntimeException {
        StormHeartbeatFailed() {
            super(null, null, false, false);
        }
    }

    /** A client that listens to every guild and stops reading; the server must cut it off. */
    private void slowClient(WebSocketClient sockets) {
        while (running()) {
            WebSocket ws = await(clients.connect(sockets).onFailure(clients.refusals::refused));
            if (ws == null) {
                error("slow connect");
                ScenarioCommand.sleep(1000);
                continue;
            }
            CompletableFuture<Void> closed = new CompletableFuture<>();
            ws.closeHandler(v -> closed.complete(null));
            ws.exceptionHandler(e -> { });
            ws.pause();
            ws.writeTextMessage(Conn.listenersUpdate(GUILDS));
            long until = Math.min(run.until(), System.nanoTime() + SLOW_LIFE_NANOS);
            while (System.nanoTime() - until < 0) {
                ScenarioCommand.sleep(Math.max(1, Math.min(500, millisUntil(until))));
            }
            // Reading again takes in what the client and the kernel held, up to the close of a server that cut it off.
            ws.resume();
            try {
                closed.get(SLOW_DRAIN_SECONDS, TimeUnit.SECONDS);
                slowCutOff.increment();
            } catch (TimeoutException e) {
                ws.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * The latencies a growing histogram recorded since the last report, as p50/p99/max in ms. Its
     * counts only grow, so the difference of two copies is what came in between, even while recording.
     */
    private static final class Interval {
        private final ConcurrentHistogram total;
        private Histogram reported = Result.histogram();

        Interval(ConcurrentHistogram total) {
            this.total = total;
        }

        String next() {
            Histogram now = total.copy();
            Histogram since = now.copy();
            since.subtract(reported);
            reported = now;
            if (since.getTotalCount() == 0) {
                return "-";
            }
            return ms(since.getValueAtPercentile(50)) + "/" + ms(since.getValueAtPercentile(99)) + "/"
                    + ms(since.getMaxValue());
        }

        private static String ms(long micros) {
            return String.format("%.1f", micros / 1e3);
        }
    }
}
