package dev.felix.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.felix.server.config.Settings.MAX_MESSAGES_PER_SECOND;
import static dev.felix.server.config.Settings.MESSAGE_BURST;
import static dev.felix.server.testing.RawWebSocket.BINARY;
import static dev.felix.server.testing.RawWebSocket.CLOSE;
import static dev.felix.server.testing.RawWebSocket.CONTINUATION;
import static dev.felix.server.testing.RawWebSocket.PING;
import static dev.felix.server.testing.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Malformed input from many sessions at once must neither take the server down nor disturb the
 * well-formed sessions beside them, and must not flood the log with stack traces.
 */
class FuzzTest {
    private static final int RAW_FUZZERS = 6;
    private static final int FRAMES_PER_RAW_FUZZER = 1600;
    private static final int JDK_FUZZ_MESSAGES = 1000;
    private static final String HEARTBEAT = "{\"code\":20001}";

    private static final String[] MALFORMED_TEXT = {
            "", "   ", "null", "42", "\"text\"", "[]", "[1,2,3]", "{}", "{\"code\":null}", "{\"code\":true}",
            "{\"code\":\"20001\"}", "{\"code\":-1}", "{\"code\":20001.5}", "{\"code\":1e999999999}",
            "{\"code\":-1e-999999999}", "{\"code\":" + "9".repeat(5000) + "}", "{\"code\":99999999999999999999}",
            "{\"code\":20002}", "{\"code\":20002,\"data\":null}", "{\"code\":20002,\"data\":\"guilds\"}",
            "{\"code\":20002,\"data\":[1,2]}", "{\"code\":20002,\"data\":{\"guilds\":\"77\",\"users\":7}}",
            "{\"code\":20002,\"data\":{\"guilds\":{\"a\":1},\"users\":[null,1,{},[],true]}}",
            "{\"code\":20002,\"data\":{\"guilds\":[\"" + "1".repeat(10_000) + "\"]}}",
            "{\"code\":20001,\"code\":20002}", "{\"code\":20002,\"data\":{\"guilds\":[\"1\"", "{\"code\":",
            "{\"code\":20001", "{'code':20001}", "{code:20001}", "{\"code\":20001}}}}", "\u0000\u0001\u0002",
            "{\"code\":10001,\"data\":{}}", "{\"code\":2147483648}", "{\"code\":NaN}", "{\"code\":Infinity}",
            "\uFEFF{\"code\":20001}", "{\"a\":\"\\ud800\"}", "{\"code\":20001,\"data\":" + "[".repeat(3000) + "}",
    };

    @Test
    void tenThousandMalformedFramesLeaveTheServerAndWellFormedSessionsUnaffected() throws Exception {
        TestLog log = TestLog.mark();
        try (TestGateway gw = TestGateway.start(b -> b.set(MAX_MESSAGES_PER_SECOND, 1_000_000).set(MESSAGE_BURST, 1_000_000));
             WsTestClient good1 = gw.connect(); WsTestClient good2 = gw.connect()) {
            for (WsTestClient c : List.of(good1, good2)) {
                c.send("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[\"77\"]}}");
                c.send(HEARTBEAT);
                assertThat(c.next().path("code").asInt()).isEqualTo(10001);
            }

            AtomicInteger frames = new AtomicInteger();
            AtomicInteger connections = new AtomicInteger();
            AtomicReference<Throwable> fuzzerFailure = new AtomicReference<>();
            List<Thread> fuzzers = new ArrayList<>();
            for (int i = 0; i < RAW_FUZZERS; i++) {
                long seed = 1000 + i;
                fuzzers.add(new Thread(() -> {
                    try {
                        rawFuzz(gw, new Random(seed), frames, connections);
                    } catch (Throwable e) {
                        fuzzerFailure.set(e);
                    }
                }, "fuzzer-" + i));
            }
            fuzzers.add(new Thread(() -> {
                try {
                    jdkFuzz(gw, new Random(7), frames);
                } catch (Throwable e) {
                    fuzzerFailure.set(e);
                }
            }, "fuzzer-jdk"));
            fuzzers.forEach(Thread::start);

            int rounds = 0;
            while (fuzzers.stream().anyMatch(Thread::isAlive) || rounds < 3) {
                rounds++;
                for (WsTestClient c : List.of(good1, good2)) {
                    c.send(HEARTBEAT);
                    assertThat(c.next(Duration.ofSeconds(10)).path("code").asInt()).isEqualTo(10001);
                }
                assertThat(gw.http("PUT", "/api/guilds/77", gw.privateToken, "{\"round\":" + rounds + "}")
                        .statusCode()).isEqualTo(200);
                for (WsTestClient c : List.of(good1, good2)) {
                    JsonNode update = c.next(Duration.ofSeconds(10));
                    assertThat(update.path("code").asInt()).isEqualTo(10002);
                    assertThat(update.path("data").path("guildData").path("round").asInt()).isEqualTo(rounds);
                }
            }
            for (Thread t : fuzzers) {
                t.join(60_000);
            }
            assertThat(fuzzerFailure.get()).isNull();
            assertThat(frames.get()).isGreaterThanOrEqualTo(10_000);
            assertThat(good1.closed).isNotDone();
            assertThat(good2.closed).isNotDone();
            assertThat(gw.http("GET", "/api", null, null).statusCode()).isEqualTo(200);
            try (WsTestClient fresh = gw.connect()) {
                fresh.send(HEARTBEAT);
                assertThat(fresh.next().path("code").asInt()).isEqualTo(10001);
            }

            String logged = log.since();
            long traceLines = logged.lines().filter(l -> l.startsWith("\tat ") || l.contains("Exception")).count();
            assertThat(traceLines).as("stack trace lines among %d connections", connections.get()).isLessThan(20);
        }
    }

    @Test
    void protocolViolationsAreClosedWithACodeTheClientCanRead() throws Exception {
        try (TestGateway gw = TestGateway.start()) {
            assertThat(closeAfter(gw, ws -> ws.frame(TEXT, true, new byte[]{'"', (byte) 0xC3, (byte) 0x28, '"'})))
                    .isEqualTo(1007);
            assertThat(closeAfter(gw, ws -> ws.frame(TEXT, true, HEARTBEAT.getBytes(StandardCharsets.UTF_8),
                    false, 0))).isEqualTo(1002);
            assertThat(closeAfter(gw, ws -> ws.frame(CONTINUATION, true, HEARTBEAT.getBytes(StandardCharsets.UTF_8))))
                    .isEqualTo(1002);
            assertThat(closeAfter(gw, ws -> ws.frame(TEXT, true, HEARTBEAT.getBytes(StandardCharsets.UTF_8),
                    true, 4))).isEqualTo(1002);
            try (WsTestClient beside = gw.connect()) {
                beside.send(HEARTBEAT);
                assertThat(beside.next().path("code").asInt()).isEqualTo(10001);
            }
        }
    }

    private interface FrameWriter {
        void write(RawWebSocket ws) throws IOException;
    }

    private static int closeAfter(TestGateway gw, FrameWriter bad) throws IOException {
        try (RawWebSocket ws = RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken)) {
            bad.write(ws);
            RawWebSocket.Frame close = ws.readUntilClose();
            assertThat(close).as("close frame").isNotNull();
            return close.closeCode();
        }
    }

    /**
     * Raw frames, many of them breaking the protocol. After each frame that should end the
     * connection, and every few frames otherwise, a heartbeat proves the server has processed
     * everything so far: it either answers or hangs up, and then the fuzzer reconnects.
     */
    private static void rawFuzz(TestGateway gw, Random random, AtomicInteger frames, AtomicInteger connections)
            throws Exception {
        Connection conn = null;
        try {
            for (int sent = 0; sent < FRAMES_PER_RAW_FUZZER; sent++) {
                if (conn == null || conn.closed.get()) {
                    if (conn != null) {
                        conn.ws.close();
                    }
                    conn = new Connection(RawWebSocket.connect(gw.gateway.wsPort(), gw.privateToken));
                    connections.incrementAndGet();
                }
                Outcome outcome;
                try {
                    outcome = sendOne(conn.ws, random);
                    frames.incrementAndGet();
                } catch (IOException e) {
                    conn.closed.set(true);
                    continue;
                }
                if (outcome == Outcome.ABANDON) {
                    conn.ws.close();
                    conn.closed.set(true);
                } else if (outcome == Outcome.FATAL || sent % 25 == 24) {
                    conn.sync();
                }
            }
        } finally {
            if (conn != null) {
                conn.ws.close();
            }
        }
    }

    /** What the server should do with a frame: take it, close the connection, or (ABANDON) wait for bytes forever. */
    private enum Outcome { ACCEPTED, FATAL, ABANDON }

    private static Outcome sendOne(RawWebSocket ws, Random random) throws IOException {
        int kind = random.nextInt(100);
        if (kind < 40) {
            ws.text(MALFORMED_TEXT[random.nextInt(MALFORMED_TEXT.length)]);
            return Outcome.ACCEPTED;
        } else if (kind < 55) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            ws.frame(BINARY, true, bytes);
            return Outcome.ACCEPTED;
        } else if (kind < 65) {
            // Fragments that join to a message, valid or not.
            String text = random.nextBoolean() ? HEARTBEAT : MALFORMED_TEXT[random.nextInt(MALFORMED_TEXT.length)];
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int cut = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            ws.frame(TEXT, false, Arrays.copyOfRange(bytes, 0, cut));
            ws.frame(CONTINUATION, true, Arrays.copyOfRange(bytes, cut, bytes.length));
            return Outcome.ACCEPTED;
        } else if (kind < 70) {
            ws.frame(TEXT, true, new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        } else if (kind < 73) {
            // A multi-byte character split across fragments and then left unfinished.
            ws.frame(TEXT, false, new byte[]{'"', (byte) 0xE2, (byte) 0x82});
            ws.frame(CONTINUATION, true, new byte[]{'"'});
        } else if (kind < 76) {
            ws.frame(CONTINUATION, true, HEARTBEAT.getBytes(StandardCharsets.UTF_8));
        } else if (kind < 79) {
            ws.frame(TEXT, false, "{\"co".getBytes(StandardCharsets.UTF_8));
            ws.frame(TEXT, true, "de\":20001}".getBytes(StandardCharsets.UTF_8));
        } else if (kind < 82) {
            ws.frame(TEXT, true, HEARTBEAT.getBytes(StandardCharsets.UTF_8), false, 0);
        } else if (kind < 85) {
            ws.frame(TEXT, true, HEARTBEAT.getBytes(StandardCharsets.UTF_8), true, 1 + random.nextInt(7));
        } else if (kind < 88) {
            ws.frame(3 + random.nextInt(5), true, new byte[]{1, 2, 3});
        } else if (kind < 90) {
            ws.frame(PING, true, new byte[200]);
        } else if (kind < 92) {
            ws.frame(CLOSE, true, new byte[]{0x03, (byte) 0xE7});
        } else if (kind < 95) {
            ws.frame(PING, true, new byte[]{1});
            return Outcome.ACCEPTED;
        } else {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            ws.write(garbage);
            return Outcome.ABANDON;
        }
        return Outcome.FATAL;
    }

    /** Well-formed frames with malformed content, from the JDK client. */
    private static void jdkFuzz(TestGateway gw, Random random, AtomicInteger frames) {
        try (WsTestClient client = gw.connect()) {
            for (int i = 0; i < JDK_FUZZ_MESSAGES; i++) {
                client.send(MALFORMED_TEXT[random.nextInt(MALFORMED_TEXT.length)]);
                frames.incrementAndGet();
            }
            client.send(HEARTBEAT);
            JsonNode reply;
            do {
                reply = client.next(Duration.ofSeconds(10));
            } while (reply.path("code").asInt() != 10001 || reply.path("data").path("shards").isMissingNode());
            assertThat(client.closed).isNotDone();
        }
    }

    /** A raw connection and a reader that drains it, so the server never blocks on it. */
    private static final class Connection {
        final RawWebSocket ws;
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicInteger acks = new AtomicInteger();

        Connection(RawWebSocket ws) {
            this.ws = ws;
            Thread reader = new Thread(() -> {
                try {
                    RawWebSocket.Frame f;
                    while ((f = ws.read()).opcode() != CLOSE) {
                        if (f.opcode() == TEXT && f.text().contains("\"code\":10001")) {
                            acks.incrementAndGet();
                        }
                    }
                } catch (IOException ignored) {
                    // the server hung up
                }
                closed.set(true);
            }, "fuzz-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits until the server has answered a heartbeat sent now, or has hung up. */
        void sync() {
            int before = acks.get();
            try {
                ws.text(HEARTBEAT);
            } catch (IOException e) {
                closed.set(true);
                return;
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> closed.get() || acks.get() > before);
        }
    }
}
