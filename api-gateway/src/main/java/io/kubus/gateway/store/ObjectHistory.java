package io.kubus.gateway.store;

import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The states of objects that writes replaced or deleted (table {@code api_object_history}), which let a list be read
 * at an earlier resourceVersion: the pages of one paged list show the version of its first page, as kube-apiserver
 * reads them from etcd's multi-version history. History is compacted: what was superseded longer ago than the window
 * is deleted, and a read below the compacted version is refused (410 Expired), as etcd refuses a compacted revision.
 */
@Singleton
public class ObjectHistory {
    private final TransactionOperations<Connection> tx;

    public ObjectHistory(TransactionOperations<Connection> tx) {
        this.tx = tx;
    }

    /**
     * Copies the current row of an object into the history as superseded by the write at {@code supersededBy}, in
     * the writer's transaction, before the writer replaces or deletes it. The body is copied inside the database.
     */
    protected void record(Connection c, String resource, String namespace, String name, long supersededBy, Instant at)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_object_history "
                + "(resource, namespace, name, resource_version, superseded_version, superseded_at, body) "
                + "SELECT resource, namespace, name, resource_version, ?, ?, body FROM api_object "
                + "WHERE resource = ? AND namespace = ? AND name = ?")) {
            ps.setLong(1, supersededBy);
            ps.setLong(2, at.toEpochMilli());
            ps.setString(3, resource);
            ps.setString(4, namespace);
            ps.setString(5, name);
            ps.executeUpdate();
        }
    }

    /** The version below which lists can no longer be read: history superseded at or below it is gone. */
    public long compactedVersion() {
        return tx.executeRead(status -> compactedVersion(status.getConnection(), false));
    }

    /**
     * Deletes every state superseded at or before {@code cutoff}, and with it every state superseded at a lower
     * version (whatever its time), and raises the compacted version to the newest superseding version deleted.
     * Returns the compacted version. Compactions of several gateways take turns on the compaction row, so their
     * deletes never deadlock each other; writers are not held up, since they only add rows superseded above it.
     */
    public long compact(Instant cutoff) {
        return tx.executeWrite(status -> {
            Connection c = status.getConnection();
            long compacted = compactedVersion(c, true);
            long upTo;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT MAX(superseded_version) FROM api_object_history WHERE superseded_at <= ?")) {
                ps.setLong(1, cutoff.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    upTo = rs.getLong(1);
                    if (rs.wasNull() || upTo <= compacted) {
                        return compacted;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM api_object_history WHERE superseded_version <= ?")) {
                ps.setLong(1, upTo);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_object_history_compaction SET compacted_version = ? WHERE id = 1")) {
                ps.setLong(1, upTo);
                ps.executeUpdate();
            }
            return upTo;
        });
    }

    static long compactedVersion(Connection c, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT compacted_version FROM api_object_history_compaction WHERE id = 1" + (lock ? " FOR UPDATE" : ""));
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("api_object_history_compaction row missing: the schema is not migrated");
            }
            return rs.getLong(1);
        }
    }
}
