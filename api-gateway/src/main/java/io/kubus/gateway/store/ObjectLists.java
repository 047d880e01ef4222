package io.kubus.gateway.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.encryption.StorageTransformers;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * history if the snapshot holds the write, and still current if not.
 *
 * <p>A list of the newest version (a first page, or a whole list) reads in one repeatable-read transaction, a
 * snapshot for the cursor's lifetime: first the committed version, then the current rows in that snapshot, where every
 * current row is at or below the version, so no history is needed. Nothing
 * waits for the version row's lock (a writer's version becomes visible only when it commits, and writers commit in
 * version order), so lists no longer hold writers back. The current rows are read in primary key order, which lets
 * H2 hand them out as it reads them (lazy execution) rather than build the whole result first, and lets PostgreSQL
 * send them a fetch at a time: a long list streams. (One statement alone is not enough in H2: a lazily read query
 * and its subqueries do not share one snapshot, as the store's contract test found.)
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
    private final StorageTransformers transformers;
    private volatile Boolean h2;

    public ObjectLists(DataSource dataSource, TransactionOperations<Connection> tx, StorageTransformers transformers) {
        // The cursor outlives any transaction the framework could scope, so it takes its own pooled connection.
        this.dataSource = DelegatingDataSource.unwrapDataSource(dataSource);
        this.tx = tx;
        this.transformers = transformers;
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
                    + "api_object_history" + history.sql + "), " + COMPACTED;
            try (PreparedStatement ps = status.getConnection().prepareStatement(sql)) {
                history.bind(ps, current.bind(ps, 1));
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
            List<ObjectNode> items = new ArrayList<>();
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

    private static final String COMPACTED = "(SELECT compacted_version FROM api_object_history_compaction WHERE id = 1)";
    /**
     * The list's order. The resource is fixed by the WHERE clause, so it changes nothing, but naming the primary key's
     * columns lets H2 read the key in order instead of sorting (which would build the whole result first).
     */
    private static final String ORDER = " ORDER BY resource, namespace, name";

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

    /**
     * The rows of {@code scope} after {@code after}: of the current table at {@code version} (null: whatever is
     * current), or of the history at {@code version}.
     */
    private static Query where(ListScope scope, @Nullable Long version, @Nullable ListKey after, boolean inclusive,
                               boolean history) {
        StringBuilder sql = new StringBuilder(" WHERE resource = ?");
        List<Object> params = new ArrayList<>();
        params.add(ObjectStore.key(scope.type()));
        if (scope.namespace() != null) {
            sql.append(" AND namespace = ?");
            params.add(scope.namespace());
        }
        if (version != null) {
            sql.append(" AND resource_version <= ?");
            params.add(version);
        }
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

    private boolean isH2(Connection c) throws SQLException {
        Boolean known = h2;
        if (known == null) {
            known = c.getMetaData().getDatabaseProductName().equals("H2");
            h2 = known;
        }
        return known;
    }

    private final class DbCursor implements ListCursor {
        private final ListScope scope;
        private final ReentrantLock lock = new ReentrantLock();
        private Long version;
        private ListKey after;
        private boolean inclusive;
        private int batch;
        private Connection connection;
        private boolean lazy;
        private PreparedStatement statement;
        private ResultSet rows;
        /** Whether the cursor reads the snapshot's newest version: current rows only (else history too). */
        private boolean newest;
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
                if (closed && connection == null && version == null) {
                    throw new IllegalStateException("the list cursor is closed");
                }
                if (connection == null && !closed) {
                    connect();
                }
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
                return read();
            } catch (SQLException e) {
                throw new StoreException(e);
            } finally {
                lock.unlock();
            }
        }

        private @Nullable ListRow read() throws SQLException {
            if (closed) {
                throw new IllegalStateException("the list cursor is closed");
            }
            if (connection == null) {
                connect();
            }
            while (!done) {
                if (rows == null) {
                    startBatch();
                }
                if (rows.next()) {
                    if (!newest && readInBatch == 0 && rows.getLong(4) > version) {
                        throw new HistoryCompactedException(version, rows.getLong(4));
                    }
                    String namespace = rows.getString(1);
                    String name = rows.getString(2);
                    // Decrypted here, so that what leaves the store is the object's JSON whatever is stored.
                    ListRow row = new ListRow(namespace, name, transformers.of(scope.type()).fromStorage(
                            rows.getString(3), ObjectStore.storageContext(scope.type(), namespace, name)));
                    readInBatch++;
                    after = row.key();
                    inclusive = false;
                    return row;
                }
                closeBatch();
                if (!newest && readInBatch == 0) {
                    // An empty batch carried no compacted version: read it in the same snapshot.
                    long compacted = ObjectHistory.compactedVersion(connection, false);
                    if (compacted > version) {
                        throw new HistoryCompactedException(version, compacted);
                    }
                }
                if (batch == 0 || readInBatch < batch) {
                    done = true;
                } else {
                    batch = Math.min(batch * 2, Math.max(batch, MAX_BATCH));
                }
            }
            return null;
        }

        private void connect() throws SQLException {
            connection = dataSource.getConnection();
            if (isH2(connection)) {
                // H2 hands out the rows of an index-ordered query as it reads them, instead of building the result.
                // Set before the cursor's transaction begins, so that it is no statement of that transaction.
                try (Statement s = connection.createStatement()) {
                    s.execute("SET LAZY_QUERY_EXECUTION TRUE");
                }
                lazy = true;
            }
            // The newest version is read in a snapshot that lasts as long as the cursor (repeatable read), so all its
            // batches see that version; a list at a given version needs only each statement to be one snapshot
            // (read committed: both databases take a statement's tables together). The pool restores the isolation
            // level and read-only flag when the connection returns. PostgreSQL streams rows (fetch size) only
            // outside autocommit.
            connection.setTransactionIsolation(version == null ? Connection.TRANSACTION_REPEATABLE_READ
                    : Connection.TRANSACTION_READ_COMMITTED);
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            if (version == null) {
                // The snapshot's newest version: every current row in the snapshot is at or below it. The statement
                // names the object tables too: H2 takes a repeatable-read snapshot of each table when a statement
                // first uses it, so they must be taken together with the version's.
                try (PreparedStatement ps = connection.prepareStatement("SELECT current_version FROM resource_version "
                        + "WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM api_object WHERE resource = '') "
                        + "AND NOT EXISTS (SELECT 1 FROM api_object_history WHERE resource = '')");
                     ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("resource_version row missing: the schema is not migrated");
                    }
                    version = rs.getLong(1);
                }
                newest = true;
            }
        }

        private void startBatch() throws SQLException {
            String limit = batch > 0 ? " LIMIT " + batch : "";
            String sql;
            Query current = where(scope, version, after, inclusive, false);
            Query history = null;
            if (newest) {
                sql = "SELECT namespace, name, body FROM api_object" + current.sql + ORDER + limit;
            } else {
                // Each side ordered and limited by its index, then merged; with a limit, each side needs no more
                // rows than the batch. The compacted version rides along.
                history = where(scope, version, after, inclusive, true);
                sql = "SELECT namespace, name, body, " + COMPACTED + " FROM ("
                        + "(SELECT namespace, name, body FROM api_object" + current.sql + ORDER + limit + ")"
                        + " UNION ALL "
                        + "(SELECT namespace, name, body FROM api_object_history" + history.sql + ORDER + limit + ")"
                        + ") at_version ORDER BY namespace, name" + limit;
            }
            statement = connection.prepareStatement(sql);
            statement.setFetchSize(FETCH_SIZE);
            int next = current.bind(statement, 1);
            if (history != null) {
                history.bind(statement, next);
            }
            rows = statement.executeQuery();
            readInBatch = 0;
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
                    connection.rollback();
                    if (lazy) {
                        // A pooled connection goes back as it came.
                        try (Statement s = connection.createStatement()) {
                            s.execute("SET LAZY_QUERY_EXECUTION FALSE");
                        }
                    }
                } catch (SQLException e) {
                    // The connection is closed below either way; the pool checks it before handing it out again.
                } finally {
                    try {
                        connection.close();
                    } catch (SQLException e) {
                        throw new StoreException(e);
                    } finally {
                        connection = null;
                    }
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
