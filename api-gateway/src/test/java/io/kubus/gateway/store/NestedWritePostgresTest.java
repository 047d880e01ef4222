package io.kubus.gateway.store;

import io.kubus.gateway.testing.TestPostgres;

/** Nested writes on a real PostgreSQL; an unreachable server fails the run, it never skips it. */
class NestedWritePostgresTest extends NestedWriteContract {
    @Override
    String freshDatabaseUrl() {
        return TestPostgres.freshSchemaUrl();
    }
}
