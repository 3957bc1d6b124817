package dev.felix.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load generator's connections: WebSocket clients bound round-robin to several local
 * addresses, and one pooled HTTP client for writes. Handlers run on the Vert.x event loops.
 */
final class Clients implements AutoCloseable {
    static final String USER_AGENT = "felix-bench";

    final Vertx vertx;
    private final Target target;
    private final List<WebSocketClient> wsClients = new ArrayList<>();
    private final HttpClient http;
    private final URI httpBase;
    final List<Conn> conns = new ArrayList<>();
    /** Handshakes refused and sockets closed by the server, over the life of these clients. */
    final Refusals refusals = new Refusals();
    private final AtomicInteger next = new AtomicInteger();

    Clients(Target target, int httpConnections) {
        this.target = target;
        this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        List<String> addresses = target.bindAddresses();
        if (addresses.isEmpty()) {
            wsClients.add(vertx.createWebSocketClient(wsOptions(null)));
        }
        for (String address : addresses) {
            wsClients.add(vertx.createWebSocketClient(wsOptions(address)));
        }
        this.httpBase = URI.create(target.http);
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout(10_000), new PoolOptions().setHttp1MaxSize(Math.max(1, httpConnections)));
    }

    /** The options of the load generator's WebSocket clients; {@code localAddress} null leaves the socket unbound. */
    static WebSocketClientOptions wsOptions(String localAddress) {
        WebSocketClientOptions o = new WebSocketClientOptions()
                // Every socket stays open for the whole run: no per-endpoint cap.
                .setMaxConnections(Integer.MAX_VALUE)
                .setConnectTimeout(30_000)
                .setTcpNoDelay(true)
                .setTryUsePerMessageCompression(false)
                .setTryUsePerFrameCompression(false)
                .setMaxMessageSize(16 * 1024 * 1024)
                .setMaxFrameSize(16 * 1024 * 1024);
        if (localAddress != null) {
            o.setLocalAddress(localAddress);
        }
        return o;
    }

    /**
     * Opens {@code n} authenticated sockets, at most {@code concurrency} handshakes at a time.
     * Failures are counted in the result as {@code connect_failed}, and by reason in {@link #refusals};
     * each handshake's time goes to the {@code handshake} histogram.
     */
    List<Conn> open(int n, int concurrency, Result result) {
        return open(n, concurrency, result, "handshake");
    }

    /** {@link #open(int, int, Result)}, each handshake's time going to the histogram of this name. */
    List<Conn> open(int n, int concurrency, Result result, String histogram) {
        ConcurrentLinkedQueue<Conn> opened = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        Promise<Void> done = Promise.promise();
        AtomicInteger finished = new AtomicInteger();
        org.HdrHistogram.ConcurrentHistogram handshakes = new org.HdrHistogram.ConcurrentHistogram(Result.MAX_MICROS, 3);
        Runnable[] launch = new Runnable[1];
        launch[0] = () -> {
            if (started.getAndIncrement() >= n) {
                return;
            }
            long t0 = System.nanoTime();
            connectOne().onComplete(ar -> {
                handshakes.recordValue(Math.min(Result.MAX_MICROS, (System.nanoTime() - t0) / 1000));
                if (ar.succeeded()) {
                    opened.add(ar.result());
                } else {
                    failed.incrementAndGet();
                }
                if (finished.incrementAndGet() == n) {
                    done.tryComplete();
                } else {
                    launch[0].run();
                }
            });
        };
        if (n == 0) {
            done.complete();
        }
        for (int i = 0; i < Math.min(n, concurrency); i++) {
            launch[0].run();
        }
        try {
            done.future().await(10, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException("opening connections did not finish: " + e.getMessage(), e);
        }
        result.add("connect_failed", failed.get());
        result.histogram(histogram).add(handshakes);
        List<Conn> list = new ArrayList<>(opened);
        conns.addAll(list);
        return list;
    }

    /**
     * Opens one authenticated socket, bound to the next local address, and not kept in {@link #conns}
     * (a client that comes and goes); a failure is counted by reason in {@link #refusals}.
     */
    Future<Conn> connectOne() {
        return connect(wsClients.get(Math.floorMod(next.getAndIncrement(), wsClients.size())))
                .map(ws -> new Conn(ws, refusals))
                .onFailure(refusals::refused);
    }

    /** Opens one authenticated socket through {@code client} (made with {@link #wsOptions}), with no handlers. */
    Future<io.vertx.core.http.WebSocket> connect(WebSocketClient client) {
        URI uri = URI.create(target.url);
        WebSocketConnectOptions o = new WebSocketConnectOptions().setAbsoluteURI(uri.toString())
                .addHeader("Authorization", target.token)
                .addHeader("User-Agent", USER_AGENT)
                .setTimeout(30_000);
        return client.connect(o);
    }

    /**
     * Closes these sockets (code 1000) and waits until the server has closed each in answer; they are
     * no longer counted as open.
     */
    void close(List<Conn> closing) {
        List<Future<Void>> closed = new ArrayList<>();
        for (Conn c : closing) {
            closed.add(c.ws.close());
        }
        try {
            Future.join(closed).await(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException("closing connections did not finish: " + e.getMessage(), e);
        }
        conns.removeAll(closing);
    }

    /** A REST call with the target's token; {@code body} null sends none. Completes with the status. */
    Future<Integer> request(HttpMethod method, String path, String body) {
        RequestOptions o = new RequestOptions().setMethod(method).setAbsoluteURI(httpBase.resolve(path).toString())
                .putHeader("Authorization", "Bearer " + target.token)
                .putHeader("Content-Type", "application/json")
                .setTimeout(30_000);
        return http.request(o).compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
                .compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    int openCount() {
        int n = 0;
        for (Conn c : conns) {
            if (!c.closed) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        try {
            vertx.close().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("closing the load generator did not finish: " + e.getMessage());
        }
    }
}
