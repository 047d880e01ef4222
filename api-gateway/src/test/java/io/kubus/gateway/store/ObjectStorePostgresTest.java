package io.kubus.gateway.store;

import io.kubus.gateway.testing.TestPostgres;

/** The store's contract on a real PostgreSQL; an unreachable server fails the run, it never skips it. */
class ObjectStorePostgresTest extends ObjectStoreContract {
    @Override
    String freshDatabaseUrl() {
        return TestPostgres.freshSchemaUrl();
    }
}
