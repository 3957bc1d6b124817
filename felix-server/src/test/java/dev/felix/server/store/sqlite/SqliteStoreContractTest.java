package dev.felix.server.store.sqlite;

import dev.felix.server.store.Store;
import dev.felix.server.store.StoreContractTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteStoreContractTest extends StoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return SqliteStore.open(dir);
    }

    @Override
    protected Store openSameDatabase() {
        return SqliteStore.open(dir);
    }
}
