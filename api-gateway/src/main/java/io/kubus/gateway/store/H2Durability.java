package io.kubus.gateway.store;

import io.micronaut.context.annotation.Requires;
import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;

import io.micronaut.transaction.TransactionOperations;

import java.sql.Connection;
import java.sql.Statement;

/**
 * H2 writes commits to its file up to half a second late by default, so a gateway killed with SIGKILL could lose a
 * write it had already acknowledged (ChangeTopicConsumerTest caught this). The gateway makes every commit reach the
 * file before it answers, whatever H2 URL it was given.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class H2Durability {
    private final TransactionOperations<Connection> tx;

    public H2Durability(TransactionOperations<Connection> tx) {
        this.tx = tx;
    }

    @PostConstruct
    void writeOnCommit() {
        tx.executeWrite(status -> {
            Connection c = status.getConnection();
            if (c.getMetaData().getDatabaseProductName().equals("H2")) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET WRITE_DELAY 0");
                }
            }
            return null;
        });
    }
}
