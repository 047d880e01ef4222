package io.kubus.gateway.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.encryption.StorageTransformers;
import io.kubus.gateway.store.ListCursor;
import io.kubus.gateway.store.ListKey;
import io.kubus.gateway.store.ListRow;
import io.kubus.gateway.store.ListScope;
import io.kubus.gateway.store.ObjectHistory;
import io.kubus.gateway.store.ObjectLists;
import io.kubus.schema.KubusJson;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The store as it was before paging, for the benchmark's baseline gateway (property
 * {@value #PROPERTY}{@code =true}, test class path only): writes keep no history, and a list takes the version row's
 * lock, reads and parses every object, then lets writers go, as {@code ObjectStore.list} did.
 */
final class BeforePaging {
    static final String PROPERTY = "kubus.bench.before-paging";

    private BeforePaging() {
    }

    /** Writes without the history row. */
    @Singleton
    @Replaces(ObjectHistory.class)
    @Requires(property = PROPERTY, value = "true")
    static class WithoutHistory extends ObjectHistory {
        WithoutHistory(TransactionOperations<Connection> tx) {
            super(tx);
        }

        @Override
        protected void record(Connection c, String resource, String namespace, String name, long supersededBy,
                              Instant at) {
            // nothing: the baseline keeps no history
        }
    }

    /** Lists that hold writers back while they read, as before. */
    @Singleton
    @Replaces(ObjectLists.class)
    @Requires(property = PROPERTY, value = "true")
    static class LockingLists extends ObjectLists {
        private final TransactionOperations<Connection> tx;

        LockingLists(DataSource dataSource, TransactionOperations<Connection> tx, StorageTransformers transformers) {
            super(dataSource, tx, transformers);
            this.tx = tx;
        }

        @Override
        public ListCursor open(ListScope scope, @Nullable Long version, @Nullable ListKey after, boolean inclusive,
                               int batch) {
            if (version != null || after != null) {
                return super.open(scope, version, after, inclusive, batch);
            }
            return tx.executeWrite(status -> {
                Connection c = status.getConnection();
                long v;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT current_version FROM resource_version WHERE id = 1 FOR UPDATE");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    v = rs.getLong(1);
                }
                List<ListRow> rows = new ArrayList<>();
                String sql = "SELECT namespace, name, body FROM api_object WHERE resource = ?"
                        + (scope.namespace() == null ? "" : " AND namespace = ?") + " ORDER BY namespace, name";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, scope.type().group() + "/" + scope.type().version() + "/" + scope.type().plural());
                    if (scope.namespace() != null) {
                        ps.setString(2, scope.namespace());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String body = rs.getString(3);
                            parse(body); // the old list parsed every object inside the lock
                            rows.add(new ListRow(rs.getString(1), rs.getString(2), body));
                        }
                    }
                }
                return new InMemory(v, rows);
            });
        }

        private static ObjectNode parse(String json) {
            try {
                return (ObjectNode) KubusJson.json().readTree(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class InMemory implements ListCursor {
        private final long version;
        private final Iterator<ListRow> rows;

        InMemory(long version, List<ListRow> rows) {
            this.version = version;
            this.rows = rows.iterator();
        }

        @Override
        public long version() {
            return version;
        }

        @Override
        public @Nullable ListRow next() {
            return rows.hasNext() ? rows.next() : null;
        }

        @Override
        public void close() {
        }
    }
}
