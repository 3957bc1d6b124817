package dev.felix.server.store.postgres;

import dev.felix.server.store.Store;
import dev.felix.server.store.StoreContractTest;
import dev.felix.server.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class PostgresStoreContractTest extends StoreContractTest {
    private static TestPostgres postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = TestPostgres.start();
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    private PostgresSettings database;

    @Override
    protected Store openStore() {
        database = TestPostgres.settings(postgres.newDatabase());
        return PostgresStore.open(database);
    }

    @Override
    protected Store openSameDatabase() {
        return PostgresStore.open(database);
    }
}
