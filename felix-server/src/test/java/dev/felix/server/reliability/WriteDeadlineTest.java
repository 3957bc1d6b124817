package dev.felix.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

import static dev.felix.server.config.Settings.WRITE_DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another program holds SQLite's write lock (as {@code sqlite3} in a transaction would) longer
 * than the write deadline: the write is answered 503, and stays unwritten once the lock is freed
 * and the writer gets to it.
 */
class WriteDeadlineTest {

    @Test
    void aWriteNotTakenWithinTheDeadlineIs503AndIsNotCommittedLater() throws Exception {
        try (TestGateway gw = TestGateway.start(c -> c.set(WRITE_DEADLINE, Duration.ofMillis(500)))) {
            assertThat(gw.http("PUT", "/api/users/1", gw.privateToken, "{\"n\":1}").statusCode()).isEqualTo(200);
            HttpResponse<String> late;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve("felix.db"));
                 Statement st = other.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                late = gw.http("PUT", "/api/users/2", gw.privateToken, "{\"n\":2}");
                st.execute("ROLLBACK");
            }
            assertThat(late.statusCode()).isEqualTo(503);
            assertThat(late.headers().firstValue("Retry-After")).isPresent();
            JsonNode error = Wire.mapper().readTree(late.body());
            assertThat(error.path("message").asText()).contains("within 500 ms");

            // The writer, free again, commits what comes next, and not the write it was too late for.
            assertThat(gw.http("PUT", "/api/users/3", gw.privateToken, "{\"n\":3}").statusCode()).isEqualTo(200);
            assertThat(gw.http("GET", "/api/users/2", gw.privateToken, null).statusCode()).isEqualTo(404);
            assertThat(gw.http("GET", "/api/users/1", gw.privateToken, null).statusCode()).isEqualTo(200);
        }
    }
}
