package dev.felix.server.store;

import dev.felix.protocol.EntryKind;
import dev.felix.server.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing the store (what a SIGTERM ends in) commits every write already handed to it. */
class QueuedWritesTest {

    @Test
    void closeFinishesQueuedWrites(@TempDir Path dir) {
        int writes = 2000;
        List<CompletableFuture<Entry>> pending = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        SqliteStore store = SqliteStore.open(dir);
        store.onChange(e -> seen.add(e.seq()));
        for (int i = 0; i < writes; i++) {
            pending.add(store.put(EntryKind.USER, String.valueOf(i % 100), "{\"i\":" + i + "}"));
        }
        store.close();

        assertThat(pending).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(seen).hasSize(writes).isSorted();
        try (SqliteStore reopened = SqliteStore.open(dir)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                ids.add(String.valueOf(i));
            }
            List<Entry> entries = reopened.getAll(EntryKind.USER, ids).join();
            assertThat(entries).hasSize(100);
            for (Entry entry : entries) {
                int last = writes - 100 + Integer.parseInt(entry.id());
                assertThat(entry.json()).isEqualTo("{\"i\":" + last + "}");
            }
            assertThat(reopened.put(EntryKind.USER, "1", "{}").join().seq()).isEqualTo(writes + 1);
        }
    }
}
