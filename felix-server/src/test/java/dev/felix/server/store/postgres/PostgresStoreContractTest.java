package dev.felix.server.store.postgres;

import dev.felix.server.store.Store;
import dev.felix.server.store.StoreContractTest;
import dev.felix.server.testing.RunningPostgres;
import dev.felix.server.testing.TestPostgres;

@RunningPostgres
class PostgresStoreContractTest extends StoreContractTest {
    private final TestPostgres postgres;
    private PostgresSettings database;

    PostgresStoreContractTest(TestPostgres postgres) {
        this.postgres = postgres;
    }

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
