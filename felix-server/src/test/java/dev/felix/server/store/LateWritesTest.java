package dev.felix.server.store;

import dev.felix.protocol.EntryKind;
import dev.felix.server.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * While another program holds SQLite's write lock, every write waits: the ones the writer took into a
 * batch and the ones queued behind them. Each is answered when its deadline passes, and none is
 * written once the lock is free.
 */
class LateWritesTest {

    @Test
    void everyWriteNotTakenInTimeIsAnsweredAndNeverWritten(@TempDir Path dir) throws Exception {
        try (SqliteStore store = SqliteStore.open(dir, Duration.ofMillis(300))) {
            List<String> ids = new ArrayList<>();
            List<CompletableFuture<Entry>> late = new ArrayList<>();
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("felix.db"));
                 Statement st = other.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                for (int i = 1; i <= 50; i++) {
                    ids.add(String.valueOf(i));
                    late.add(store.put(EntryKind.GUILD, String.valueOf(i), "{\"n\":" + i + "}"));
                }
                for (CompletableFuture<Entry> write : late) {
                    assertThatThrownBy(write::join).isInstanceOf(CompletionException.class)
                            .cause().isInstanceOf(StoreException.Unavailable.class).hasMessageContaining("within 300 ms");
                }
                st.execute("ROLLBACK");
            }
            Entry next = store.put(EntryKind.GUILD, "51", "{}").join();
            assertThat(next.seq()).isEqualTo(1);
            assertThat(store.getAll(EntryKind.GUILD, ids).join()).isEmpty();
        }
    }
}
