package io.kubus.gateway.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads lists at a resourceVersion, without locking anything writers need.
 *
 * <p>The objects of a list at version V are the current rows written at or below V and the history rows written at
 * or below V and superseded above it (a state lives from its own version until the version that replaced or deleted
 * it). Both come from one SQL statement, which reads one snapshot in H2 and PostgreSQL alike, so a write committing
 * meanwhile is seen whole or not at all: its new row is above V and excluded; the row it superseded is in the
 * history if the snapshot holds the write, and still current if not. A list of the newest version first reads the
 * committed version without the version row's lock (a writer's version becomes visible only when it commits, and
 * writers commit in version order), so lists no longer hold writers back.
 *
 * <p>Each statement asks for a batch in key order after the last key read; when a consumer wants more than a batch
 * (a selector dropped objects), the next statement continues from the last key at the same version, with a batch
 * twice as large, up to {@value #MAX_BATCH} (kube-apiserver's etcd store grows its page the same way).
 */
@Singleton
public class ObjectLists {
    static final int MAX_BATCH = 10_000;
    /** Rows PostgreSQL sends per round trip; without a fetch size its driver reads the whole result into memory. */
    private static final int FETCH_SIZE = 200;

    private final DataSource dataSource;
    private final TransactionOperations<Connection> tx;

    public ObjectLists(DataSource dataSource, TransactionOperations<Connection> tx) {
        // The cursor outlives any transaction the framework could scope, so it takes its own pooled connection.
        this.dataSource = DelegatingDataSource.unwrapDataSource(dataSource);
        this.tx = tx;
    }

    /** The newest resourceVersion committed; read without the version row's lock. */
    public long currentVersion() {
        return tx.executeRead(status -> currentVersion(status.getConnection()));
    }

    /**
     * Opens a list at {@code version} (null: the newest committed), after {@code after} (null: from the start;
     * {@code inclusive}: from that key on). {@code batch} is how many rows the first statement reads (0: all).
     * Nothing is read until the first {@link ListCursor#next()} or {@link ListCursor#version()}.
     */
    public ListCursor open(ListScope scope, @Nullable Long version, @Nullable ListKey after, boolean inclusive,
                           int batch) {
        return new DbCursor(scope, version, after, inclusive, batch);
    }

    /**
     * How many objects the list at {@code version} holds after {@code after}, or -1 if the history it needs is
     * compacted. One statement: the count and the compacted version come from the same snapshot.
     */
    public long countAfter(ListScope scope, long version, @Nullable ListKey after) {
        return tx.executeRead(status -> {
            Query current = where(scope, version, after, false, false);
            Query history = where(scope, version, after, false, true);
            String sql = "SELECT (SELECT COUNT(*) FROM api_object" + current.sql + ") + (SELECT COUNT(*) FROM "
                    + "api_object_history" + history.sql + "), (SELECT compacted_version FROM "
                    + "api_object_history_compaction WHERE id = 1)";
            try (PreparedStatement ps = status.getConnection().prepareStatement(sql)) {
                int i = current.bind(ps, 1);
                history.bind(ps, i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(2) > version ? -1 : rs.getLong(1);
                }
            }
        });
    }

    /** The whole list at the newest version, parsed; for the gateway's own uses (watch start, addresses). */
    public ObjectList list(ListScope scope) {
        try (ListCursor cursor = open(scope, null, null, false, 0)) {
            List<com.fasterxml.jackson.databind.node.ObjectNode> items = new ArrayList<>();
            for (ListRow row = cursor.next(); row != null; row = cursor.next()) {
                items.add(ObjectStore.parse(row.body()));
            }
            return new ObjectList(items, cursor.version());
        }
    }

    static long currentVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_version FROM resource_version WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("resource_version row missing: the schema is not migrated");
            }
            return rs.getLong(1);
        }
    }

    /** A WHERE clause and its parameters, for the current rows or the history rows of a list at a version. */
    private record Query(String sql, List<Object> params) {
        int bind(PreparedStatement ps, int from) throws SQLException {
            int i = from;
            for (Object p : params) {
                if (p instanceof Long l) {
                    ps.setLong(i++, l);
                } else {
                    ps.setString(i++, (String) p);
                }
            }
            return i;
        }
    }

    private static Query where(ListScope scope, long version, @Nullable ListKey after, boolean inclusive,
                               boolean history) {
        StringBuilder sql = new StringBuilder(" WHERE resource = ?");
        List<Object> params = new ArrayList<>();
        params.add(ObjectStore.key(scope.type()));
        if (scope.namespace() != null) {
            sql.append(" AND namespace = ?");
            params.add(scope.namespace());
        }
        sql.append(" AND resource_version <= ?");
        params.add(version);
        if (history) {
            sql.append(" AND superseded_version > ?");
            params.add(version);
        }
        if (after != null) {
            String op = inclusive ? " >= " : " > ";
            if (scope.namespace() != null) {
                sql.append(" AND name").append(op).append("?");
                params.add(after.name());
            } else {
                // A row comparison: both databases turn it into a range of the primary key.
                sql.append(" AND (namespace, name)").append(op).append("(?, ?)");
                params.add(after.namespace());
                params.add(after.name());
            }
        }
        return new Query(sql.toString(), params);
    }

    /**
     * The statement of one batch: the current rows and the history rows of the list at the version, each side
     * ordered and limited by the index, then merged. With a limit, each side needs no more rows than the batch.
     */
    private static String batchSql(Query current, Query history, int limit) {
        String lim = limit > 0 ? " LIMIT " + limit : "";
        return "SELECT namespace, name, body FROM ("
                + "(SELECT namespace, name, body FROM api_object" + current.sql + " ORDER BY namespace, name" + lim + ")"
                + " UNION ALL "
                + "(SELECT namespace, name, body FROM api_object_history" + history.sql
                + " ORDER BY namespace, name" + lim + ")"
                + ") at_version ORDER BY namespace, name" + lim;
    }

    private final class DbCursor implements ListCursor {
        private final ListScope scope;
        private final ReentrantLock lock = new ReentrantLock();
        private Long version;
        private ListKey after;
        private boolean inclusive;
        private int batch;
        private Connection connection;
        private PreparedStatement statement;
        private ResultSet rows;
        private int readInBatch;
        private boolean done;
        private boolean closed;

        DbCursor(ListScope scope, @Nullable Long version, @Nullable ListKey after, boolean inclusive, int batch) {
            this.scope = scope;
            this.version = version;
            this.after = after;
            this.inclusive = inclusive;
            this.batch = batch;
        }

        @Override
        public long version() {
            lock.lock();
            try {
                connect();
                return version;
            } catch (SQLException e) {
                throw new StoreException(e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public @Nullable ListRow next() {
            lock.lock();
            try {
                connect();
                while (!done) {
                    if (rows == null) {
                        startBatch();
                    }
                    if (rows.next()) {
                        ListRow row = new ListRow(rows.getString(1), rows.getString(2), rows.getString(3));
                        readInBatch++;
                        after = row.key();
                        inclusive = false;
                        return row;
                    }
                    closeBatch();
                    if (batch == 0 || readInBatch < batch) {
                        done = true;
                    } else {
                        batch = Math.min(batch * 2, Math.max(batch, MAX_BATCH));
                    }
                }
                return null;
            } catch (SQLException e) {
                throw new StoreException(e);
            } finally {
                lock.unlock();
            }
        }

        private void connect() throws SQLException {
            if (closed) {
                throw new IllegalStateException("the list cursor is closed");
            }
            if (connection != null) {
                return;
            }
            connection = dataSource.getConnection();
            // One read-only transaction; PostgreSQL streams rows (fetch size) only outside autocommit.
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            if (version == null) {
                version = currentVersion(connection);
            }
        }

        private void startBatch() throws SQLException {
            Query current = where(scope, version, after, inclusive, false);
            Query history = where(scope, version, after, inclusive, true);
            statement = connection.prepareStatement(batchSql(current, history, batch));
            statement.setFetchSize(FETCH_SIZE);
            history.bind(statement, current.bind(statement, 1));
            rows = statement.executeQuery();
            readInBatch = 0;
            // The statement's snapshot is taken by now (H2 runs it whole, PostgreSQL opens its portal), so a
            // compaction that this check does not see deleted nothing the statement reads.
            long compacted = ObjectHistory.compactedVersion(connection, false);
            if (compacted > version) {
                throw new HistoryCompactedException(version, compacted);
            }
        }

        private void closeBatch() throws SQLException {
            try {
                if (rows != null) {
                    rows.close();
                }
            } finally {
                rows = null;
                if (statement != null) {
                    statement.close();
                    statement = null;
                }
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                done = true;
                if (connection == null) {
                    return;
                }
                try {
                    closeBatch();
                } catch (SQLException e) {
                    // the connection is closed below either way
                }
                try {
                    connection.rollback();
                } catch (SQLException e) {
                    // nothing was written; the pool resets the connection anyway
                }
                try {
                    connection.close();
                } catch (SQLException e) {
                    throw new StoreException(e);
                } finally {
                    connection = null;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** A database failure while reading a list. */
    public static final class StoreException extends RuntimeException {
        StoreException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
