package io.kubus.gateway.encryption;

import io.kubus.gateway.testing.TestPostgres;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encryption at rest on a real PostgreSQL; an unreachable server fails the run, it never skips it. */
class EncryptionAtRestPostgresTest extends EncryptionAtRestContract {
    @Override
    String freshDatabaseUrl(Path dir) {
        return TestPostgres.freshSchemaUrl();
    }

    /** Every row of every table of the test's schema, each column as text. */
    @Override
    String rawContent(String jdbcUrl, Path dir) throws Exception {
        StringBuilder all = new StringBuilder();
        var tables = column(jdbcUrl, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
        assertTrue(tables.contains("api_object") && tables.contains("api_object_history") && tables.contains("outbox"),
                "the schema's tables: " + tables);
        for (String table : tables) {
            column(jdbcUrl, "SELECT * FROM " + table).forEach(v -> all.append(v).append('\n'));
        }
        return all.toString();
    }
}
