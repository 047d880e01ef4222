package io.kubus.gateway.store;

import io.micronaut.context.annotation.Requires;
import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;

import io.micronaut.transaction.TransactionOperations;

import java.sql.Connection;
import java.sql.Statement;

/**
 * Settings the gateway needs from an H2 database, whatever H2 URL it was given:
 * <ul>
 *     <li>H2 writes commits to its file up to half a second late by default, so a gateway killed with SIGKILL could
 *     lose a write it had already acknowledged (ChangeTopicConsumerTest caught this): every commit reaches the file
 *     before the gateway answers ({@code WRITE_DELAY 0}).</li>
 *     <li>H2 runs in the gateway's JVM and reads a query's whole result before the first row is fetched, into the
 *     heap up to 40,000 rows by default: a list of 30,000 pods would sit in memory whole while it is streamed. Results
 *     longer than {@value #MAX_MEMORY_ROWS} rows go to a temporary file instead, so a list streams from disk
 *     ({@code MAX_MEMORY_ROWS}); kubectl's pages of 500 stay in memory.</li>
 * </ul>
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class H2Settings {
    /**
     * What every H2 URL of the gateway carries: PostgreSQL's dialect, lower-case names and its null ordering (the
     * SQL is written once, for both databases), and a query cache of 64 statements per session: H2 parses a
     * statement again unless it is among the session's last 8 by default, a write uses more than 8, and parsing was
     * a third of a write's select.
     */
    public static final String URL_FLAGS =
            ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;QUERY_CACHE_SIZE=64";
    static final int MAX_MEMORY_ROWS = 2000;

    private final TransactionOperations<Connection> tx;

    public H2Settings(TransactionOperations<Connection> tx) {
        this.tx = tx;
    }

    @PostConstruct
    void apply() {
        tx.executeWrite(status -> {
            Connection c = status.getConnection();
            if (c.getMetaData().getDatabaseProductName().equals("H2")) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET WRITE_DELAY 0");
                    s.execute("SET MAX_MEMORY_ROWS " + MAX_MEMORY_ROWS);
                }
            }
            return null;
        });
    }
}
