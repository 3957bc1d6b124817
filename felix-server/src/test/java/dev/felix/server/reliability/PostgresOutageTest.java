package dev.felix.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.felix.server.config.Settings.DB_URL;
import static dev.felix.server.config.Settings.WRITE_DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real PostgreSQL stopped under a running gateway and started again: writes meanwhile are
 * answered 503 with Retry-After within the write deadline and are not committed when the
 * database comes back; reads are 503 too; the gateway recovers by itself.
 */
class PostgresOutageTest {

    @Test
    void writesDuringAnOutageAre503AndNeverCommitLater(@TempDir Path dir) throws Exception {
        try (TestPostgres postgres = TestPostgres.startRestartable(dir.resolve("pg"))) {
            String url = postgres.newDatabase();
            try (TestGateway gw = TestGateway.start(c -> c.set(DB_URL, url).set(WRITE_DEADLINE, Duration.ofMillis(1500)))) {
                assertThat(gw.http("PUT", "/api/guilds/1", gw.privateToken, "{\"before\":true}").statusCode())
                        .isEqualTo(200);

                postgres.stop();
                List<HttpResponse<String>> answers = new ArrayList<>();
                ExecutorService clients = Executors.newFixedThreadPool(8);
                try {
                    List<Future<HttpResponse<String>>> pending = new ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        String id = String.valueOf(100 + i);
                        pending.add(clients.submit(() -> gw.http("PUT", "/api/guilds/" + id, gw.privateToken,
                                "{\"during\":true}")));
                    }
                    for (Future<HttpResponse<String>> f : pending) {
                        answers.add(f.get());
                    }
                } finally {
                    clients.shutdown();
                }
                for (HttpResponse<String> r : answers) {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    JsonNode error = Wire.mapper().readTree(r.body());
                    assertThat(error.path("error").asText()).isEqualTo("Service Unavailable");
                    assertThat(error.path("message").asText()).startsWith("not written: ");
                }
                HttpResponse<String> read = gw.http("GET", "/api/guilds/1", gw.privateToken, null);
                assertThat(read.statusCode()).isEqualTo(503);
                assertThat(read.headers().firstValue("Retry-After")).isPresent();
                assertThat(gw.http("GET", "/readyz", null, null).statusCode()).isEqualTo(503);

                postgres.startAgain();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(gw.http("GET", "/readyz", null, null).statusCode()).isEqualTo(200));
                for (int i = 0; i < 16; i++) {
                    assertThat(gw.http("GET", "/api/guilds/" + (100 + i), gw.privateToken, null).statusCode())
                            .as("a write answered 503 stays unwritten").isEqualTo(404);
                }
                assertThat(gw.http("GET", "/api/guilds/1", gw.privateToken, null).body()).contains("\"before\":true");
                assertThat(gw.http("PUT", "/api/guilds/2", gw.privateToken, "{\"after\":true}").statusCode())
                        .isEqualTo(200);
            }
        }
    }
}
