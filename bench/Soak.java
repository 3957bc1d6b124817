import dev.felix.protocol.OpCode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak client (run by bench/soak.sh on the JDK, with the server jar for the protocol codes): listeners that heartbeat every second,
 * a steady write load, reconnect storms and clients that stop reading, all on loopback,
 * with a report of errors, server RSS and latencies every interval.
 */
public final class Soak {
    private static final Pattern SENT_AT = Pattern.compile("\"sentAt\":(\\d+)");
    private static final String GUILDS = "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\"]";
    private static final String LISTEN = "{\"code\":" + OpCode.LISTENERS_UPDATE.code()
            + ",\"data\":{\"users\":[],\"guilds\":" + GUILDS + "}}";
    private static final String HEARTBEAT = "{\"code\":" + OpCode.HEARTBEAT.code() + "}";
    private static final String ACK_PREFIX = "{\"code\":" + OpCode.HEARTBEAT_ACK.code();

    private final Map<String, String> opt;
    private final int wsPort;
    private final int httpPort;
    private final String token;
    private final long pid;
    private final long deadline;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder writes = new LongAdder();
    private final LongAdder updates = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder slowCutOff = new LongAdder();
    private final Latencies heartbeatRtt = new Latencies();
    private final Latencies updateLatency = new Latencies();
    private final Latencies writeLatency = new Latencies();

    private Soak(Map<String, String> opt) {
        this.opt = opt;
        this.wsPort = Integer.parseInt(opt.get("ws-port"));
        this.httpPort = Integer.parseInt(opt.get("http-port"));
        this.token = opt.get("token");
        this.pid = Long.parseLong(opt.getOrDefault("pid", "0"));
        this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(opt.getOrDefault("duration", "300")));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        for (String required : List.of("ws-port", "http-port", "token")) {
            if (!opt.containsKey(required)) {
                System.err.println("usage: java bench/Soak.java --ws-port P --http-port P --token T [--pid PID] "
                        + "[--duration S] [--report-every S] [--listeners N] [--writes-per-second N] "
                        + "[--storm N] [--slow N] [--pad BYTES]");
                System.exit(2);
            }
        }
        System.exit(new Soak(opt).run());
    }

    private int num(String name, int fallback) {
        return Integer.parseInt(opt.getOrDefault(name, String.valueOf(fallback)));
    }

    private boolean running() {
        return System.nanoTime() < deadline;
    }

    private int run() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < num("listeners", 20); i++) {
            threads.add(start("listener-" + i, this::listener));
        }
        threads.add(start("writer", this::writer));
        threads.add(start("storm", this::storm));
        for (int i = 0; i < num("slow", 2); i++) {
            threads.add(start("slow-" + i, this::slowClient));
        }
        long every = TimeUnit.SECONDS.toMillis(num("report-every", 10));
        long started = System.nanoTime();
        System.out.printf("%8s %8s %8s %8s %6s %10s %22s %22s %22s %s%n", "t(s)", "writes", "updates",
                "reconn", "slowcut", "rss(MiB)", "heartbeat p50/p99/max", "update p50/p99/max",
                "write p50/p99/max", "errors");
        while (running()) {
            Thread.sleep(Math.min(every, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            report(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        }
        for (Thread t : threads) {
            t.join(15_000);
        }
        long total = errors.values().stream().mapToLong(LongAdder::sum).sum();
        System.out.println(total == 0 ? "soak passed: no errors" : "soak FAILED: " + total + " errors " + errorText());
        return total == 0 ? 0 : 1;
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

    private String errorText() {
        Map<String, Long> sorted = new TreeMap<>();
        errors.forEach((k, v) -> sorted.put(k, v.sum()));
        return sorted.toString();
    }

    private void report(long seconds) {
        System.out.printf("%8d %8d %8d %8d %6d %10s %22s %22s %22s %s%n", seconds, writes.sum(), updates.sum(),
                reconnects.sum(), slowCutOff.sum(), rssMiB(), heartbeatRtt.drain(), updateLatency.drain(),
                writeLatency.drain(), errorText());
    }

    private String rssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.valueOf(kb / 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            return "?";
        }
        return "?";
    }

    // ---- workers --------------------------------------------------------------------------

    /** Listens to every guild and heartbeats once a second; reconnects when dropped. */
    private void listener() {
        while (running()) {
            Client c = Client.open(this);
            if (c == null) {
                error("listener connect");
                sleep(1000);
                continue;
            }
            c.ws.sendText(LISTEN, true).join();
            while (running() && !c.closed.isDone()) {
                long sent = System.nanoTime();
                c.ws.sendText(HEARTBEAT, true).join();
                Long rtt = c.awaitAck(sent, 5000);
                if (rtt == null) {
                    error(c.closed.isDone() ? "listener dropped" : "heartbeat timeout");
                    break;
                }
                heartbeatRtt.add(rtt);
                sleep(1000);
            }
            c.ws.abort();
            if (running()) {
                reconnects.increment();
            }
        }
    }

    /** PUTs at a steady rate to the listened guilds; each body carries its send time. */
    private void writer() {
        int perSecond = num("writes-per-second", 50);
        String pad = "w".repeat(num("pad", 4096));
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        while (running()) {
            String guild = String.valueOf(1 + ThreadLocalRandom.current().nextInt(10));
            long sent = System.nanoTime();
            String body = "{\"sentAt\":" + sent + ",\"pad\":\"" + pad + "\"}";
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + httpPort + "/api/guilds/" + guild))
                        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    writes.increment();
                    writeLatency.add(System.nanoTime() - sent);
                } else {
                    error("write " + r.statusCode());
                }
            } catch (IOException e) {
                error("write " + e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                return;
            }
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                sleep(TimeUnit.NANOSECONDS.toMillis(wait));
            } else {
                next = System.nanoTime();
            }
        }
    }

    /** Every second, a burst of connections that heartbeat once and leave, half of them abruptly. */
    private void storm() {
        int size = num("storm", 10);
        while (running()) {
            List<Client> burst = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Client c = Client.open(this);
                if (c == null) {
                    error("storm connect");
                } else {
                    burst.add(c);
                }
            }
            for (int i = 0; i < burst.size(); i++) {
                Client c = burst.get(i);
                long sent = System.nanoTime();
                c.ws.sendText(HEARTBEAT, true).join();
                if (c.awaitAck(sent, 5000) == null) {
                    error("storm heartbeat");
                }
                if (i % 2 == 0) {
                    c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null);
                } else {
                    c.ws.abort();
                }
            }
            sleep(1000);
        }
    }

    /**
     * A client that listens to every guild and never reads; the server must cut it off. Each one
     * lives 30 s (kernel buffers absorb the first megabytes), then the next one starts.
     */
    private void slowClient() {
        while (running()) {
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("127.0.0.1", wsPort), 5000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] key = new byte[16];
                ThreadLocalRandom.current().nextBytes(key);
                out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                        + "\r\nAuthorization: " + token + "\r\nUser-Agent: soak-slow\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(maskedText(LISTEN));
                out.flush();
                long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                while (System.nanoTime() < until) {
                    sleep(500);
                }
                s.setSoTimeout(2000);
                byte[] buf = new byte[1 << 16];
                try {
                    while (in.read(buf) >= 0) {
                        // drain what the kernel held, up to the server's close
                    }
                    slowCutOff.increment();
                } catch (IOException e) {
                    if (!(e instanceof java.net.SocketTimeoutException)) {
                        slowCutOff.increment();
                    }
                }
            } catch (IOException e) {
                error("slow connect");
                sleep(1000);
            }
        }
    }

    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.put((byte) 0x81);
        b.put((byte) (0x80 | 126)).putShort((short) payload.length);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        b.put(mask);
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return b.array();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A JDK WebSocket that hands heartbeat ACKs to its owner and times updates. */
    private static final class Client implements WebSocket.Listener {
        final Soak soak;
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        final java.util.concurrent.BlockingQueue<Long> acks = new java.util.concurrent.LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        private Client(Soak soak) {
            this.soak = soak;
        }

        static Client open(Soak soak) {
            Client c = new Client(soak);
            try {
                c.ws = soak.http.newWebSocketBuilder().header("Authorization", soak.token)
                        .connectTimeout(Duration.ofSeconds(5))
                        .buildAsync(URI.create("ws://127.0.0.1:" + soak.wsPort + "/"), c).get(10, TimeUnit.SECONDS);
                return c;
            } catch (Exception e) {
                return null;
            }
        }

        /** Nanoseconds from {@code sent} to the next ACK, or null after {@code timeoutMs}. */
        Long awaitAck(long sent, long timeoutMs) {
            try {
                Long at = acks.poll(timeoutMs, TimeUnit.MILLISECONDS);
                return at == null ? null : at - sent;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                long now = System.nanoTime();
                if (text.startsWith(ACK_PREFIX)) {
                    acks.add(now);
                } else {
                    Matcher m = SENT_AT.matcher(text);
                    if (m.find()) {
                        soak.updates.increment();
                        soak.updateLatency.add(now - Long.parseLong(m.group(1)));
                    }
                }
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(null);
        }
    }

    /** Latencies of one report interval, in nanoseconds. */
    private static final class Latencies {
        private final List<Long> values = new ArrayList<>();

        synchronized void add(long nanos) {
            values.add(nanos);
        }

        synchronized String drain() {
            if (values.isEmpty()) {
                return "-";
            }
            values.sort(null);
            String s = ms(values.get(values.size() / 2)) + "/" + ms(values.get((int) (values.size() * 0.99)))
                    + "/" + ms(values.get(values.size() - 1));
            values.clear();
            return s;
        }

        private static String ms(long nanos) {
            return String.format("%.1f", nanos / 1e6);
        }
    }
}
