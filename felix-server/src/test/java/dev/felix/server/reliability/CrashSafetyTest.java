package dev.felix.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.ServeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CrashSafetyTest {
    private static final int WRITERS = 4;
    private static final String HOT_ID = "999";

    @Test
    void everyAcknowledgedWriteSurvivesKillDashNineAndTheSequenceContinues(@TempDir Path dir) throws Exception {
        Map<String, Integer> acked = new ConcurrentHashMap<>();
        AtomicLong maxAckedSeq = new AtomicLong();
        AtomicInteger lastHotAck = new AtomicInteger(-1);
        String token;
        try (ServeProcess server = ServeProcess.start(dir)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> server.mintedToken() != null);
            token = server.mintedToken();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                Thread t = new Thread(() -> write(server, token, writer, stop, acked, maxAckedSeq, lastHotAck));
                t.start();
                writers.add(t);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 300);
            // SIGKILL while the writers keep going: no chance to flush or close anything.
            server.process.destroyForcibly();
            assertThat(server.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            for (Thread t : writers) {
                t.join(30_000);
            }
        }

        try (ServeProcess restarted = ServeProcess.start(dir)) {
            assertThat(restarted.mintedToken()).isNull();
            for (Map.Entry<String, Integer> e : acked.entrySet()) {
                HttpResponse<String> r = restarted.http("GET", "/api/guilds/" + e.getKey(), token, null);
                assertThat(r.statusCode()).as("guild %s", e.getKey()).isEqualTo(200);
                JsonNode doc = Wire.mapper().readTree(r.body());
                assertThat(doc.path("n").asInt()).as("guild %s", e.getKey()).isEqualTo(e.getValue());
                assertThat(doc.path("pad").asText()).hasSize(512);
            }
            // A write may commit and lose its acknowledgement to the kill, so the hot entry holds
            // the last acknowledged value or a later one.
            HttpResponse<String> hot = restarted.http("GET", "/api/guilds/" + HOT_ID, token, null);
            assertThat(Wire.mapper().readTree(hot.body()).path("n").asInt()).isGreaterThanOrEqualTo(lastHotAck.get());

            HttpResponse<String> next = restarted.http("PUT", "/api/guilds/1", token, "{\"after\":\"restart\"}");
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(seq(next)).isGreaterThan(maxAckedSeq.get());
        }
    }

    private static void write(ServeProcess server, String token, int writer, AtomicBoolean stop,
                              Map<String, Integer> acked, AtomicLong maxAckedSeq, AtomicInteger lastHotAck) {
        String pad = "p".repeat(512);
        for (int n = 0; n < 100_000 && !stop.get(); n++) {
            boolean hot = writer == 0 && n % 5 == 0;
            String id = hot ? HOT_ID : String.valueOf((writer + 1) * 1_000_000L + n);
            try {
                HttpResponse<String> r = server.http("PUT", "/api/guilds/" + id, token,
                        "{\"n\":" + n + ",\"pad\":\"" + pad + "\"}");
                if (r.statusCode() == 200) {
                    maxAckedSeq.accumulateAndGet(seq(r), Math::max);
                    if (hot) {
                        lastHotAck.set(n);
                    } else {
                        acked.put(id, n);
                    }
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private static long seq(HttpResponse<String> r) {
        return Long.parseLong(r.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
    }
}
