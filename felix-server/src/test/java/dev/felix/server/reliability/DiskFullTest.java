package dev.felix.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.config.Settings;
import dev.felix.server.testing.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * SQLite on a file system that fills up for real: a 4 MiB tmpfs mounted for the test (which needs
 * root, as on CI; elsewhere the test is skipped, on CI it fails). Writes that do not fit are
 * answered 507 at once, the store says it cannot write, and once space is freed it writes again
 * without a restart, with nothing lost and the database intact.
 */
class DiskFullTest {
    private static final String PAD = "x".repeat(60_000);

    private Path mount;

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        mount = Files.createTempDirectory("felix-full");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!mounted) {
            Files.delete(mount);
            mount = null;
            String why = "cannot mount a tmpfs (needs root): " + output.trim();
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; the disk-full test needs it on CI");
            }
            assumeThat(mounted).as(why).isTrue();
        }
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            Files.delete(mount);
        }
    }

    @Test
    void aFullDiskIsAnswered507UntilSpaceIsBackThenWritesWorkWithoutRestart() throws Exception {
        Path data = mount.resolve("data");
        List<String> written = new ArrayList<>();
        try (TestGateway gw = TestGateway.start(b -> b.set(Settings.DATA, data))) {
            Path filler = mount.resolve("filler");
            // Leave about 1 MiB: a few entries fit, then the WAL cannot grow.
            try (OutputStream out = Files.newOutputStream(filler)) {
                out.write(new byte[(int) (Files.getFileStore(mount).getUsableSpace() - (1 << 20))]);
            }

            HttpResponse<String> full = null;
            for (int i = 1; i <= 100 && full == null; i++) {
                String id = String.valueOf(i);
                HttpResponse<String> r = gw.http("PUT", "/api/guilds/" + id, gw.privateToken, body(i));
                if (r.statusCode() == 200) {
                    written.add(id);
                } else {
                    full = r;
                }
            }
            assertThat(full).as("a write that does not fit").isNotNull();
            assertThat(written).isNotEmpty();
            assertThat(full.statusCode()).isEqualTo(507);
            JsonNode error = Wire.mapper().readTree(full.body());
            assertThat(error.path("status").asInt()).isEqualTo(507);
            assertThat(error.path("error").asText()).isEqualTo("Insufficient Storage");
            assertThat(error.path("message").asText()).contains("out of space").contains("SQLITE_FULL");

            // Every later write is answered too (it was left hanging before).
            for (int i = 0; i < 5; i++) {
                assertThat(gw.http("PUT", "/api/guilds/9999", gw.privateToken, body(i)).statusCode()).isEqualTo(507);
            }
            HttpResponse<String> ready = gw.http("GET", "/readyz", null, null);
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode readiness = Wire.mapper().readTree(ready.body());
            assertThat(readiness.path("checks").path("writes").asBoolean()).isFalse();
            assertThat(readiness.path("message").asText()).startsWith("store cannot write: ").contains("out of space");
            String metrics = gw.http("GET", "/metrics", null, null).body();
            assertThat(metrics).contains("felix_store_writable 0.0");
            assertThat(metrics).containsPattern("felix_store_writes_failed_total\\{kind=\"guild\",reason=\"full\"} [1-9]");
            // Reads go on.
            assertThat(gw.http("GET", "/api/guilds/" + written.get(0), gw.privateToken, null).statusCode())
                    .isEqualTo(200);

            Files.delete(filler);
            // Ready again without a write: the store probes itself.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(gw.http("GET", "/readyz", null, null).statusCode()).isEqualTo(200));
            assertThat(gw.http("GET", "/metrics", null, null).body()).contains("felix_store_writable 1.0");
            HttpResponse<String> again = gw.http("PUT", "/api/guilds/9999", gw.privateToken, body(9999));
            assertThat(again.statusCode()).isEqualTo(200);
            written.add("9999");
        }

        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("felix.db"));
             Statement st = conn.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM guilds")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(written.size());
            }
        }
    }

    private static String body(int i) {
        return "{\"n\":" + i + ",\"pad\":\"" + PAD + "\"}";
    }
}
