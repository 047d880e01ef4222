package io.kubus.gateway.store;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.encryption.StorageTransformers;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.event.ChangeEvent;
import io.kubus.schema.event.WatchEventType;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The objects in the database. Every write runs in one transaction that stores the object with a new
 * resourceVersion, moves the state it replaces into the history ({@link ObjectHistory}) and appends its change event
 * to the outbox, so an event exists exactly when the change does. Lists are read by {@link ObjectLists}.
 *
 * <p>Object bodies go through the kind's {@link StorageTransformers transformer} on their way into and out of the
 * database: encrypted at rest when the encryption configuration names the kind. The whole body is, as kube-apiserver
 * encrypts the whole value in etcd: no SQL statement reads inside a body (lists filter by selectors after reading),
 * and the history copies a body as it is stored, so every copy in the database is encrypted alike.
 */
@Singleton
public class ObjectStore {
    /**
     * The largest object stored, in bytes of JSON: kube-apiserver's request limit (3 MiB). etcd keeps kube's objects
     * to 1.5 MiB of protobuf, which is about this much JSON. Each change event carries the object, and the change
     * topics take records up to {@code ChangeTopics.MAX_EVENT_BYTES}, above this.
     */
    public static final int MAX_OBJECT_BYTES = 3 * 1024 * 1024;
    private final TransactionOperations<Connection> tx;
    private final OutboxSignal outboxSignal;
    private final Clock clock;
    private final ObjectHistory history;
    private final ObjectLists lists;
    private final StorageTransformers transformers;
    /** This gateway's writes, applied in arrival order and committed in groups. */
    private final GroupCommit<List<WriteResult>> commits;
    /** The changes of the group being applied, for {@link #lastWritten}; touched only by the committer thread. */
    private final List<Written> written = new ArrayList<>();
    /** Per kind (its rows' key), the newest version this gateway has committed a change of. */
    private final Map<String, Long> lastWritten = new ConcurrentHashMap<>();

    public ObjectStore(TransactionOperations<Connection> tx, OutboxSignal outboxSignal, Clock clock,
                       ObjectHistory history, ObjectLists lists, StorageTransformers transformers) {
        this.tx = tx;
        this.transformers = transformers;
        this.outboxSignal = outboxSignal;
        this.clock = clock;
        this.history = history;
        this.lists = lists;
        this.commits = new GroupCommit<>(tx, committed -> {
            // a failed group committed nothing; the changes of a refused write were dropped when it was refused
            boolean changed = !committed.isEmpty() && !written.isEmpty();
            if (changed) {
                written.forEach(w -> lastWritten.merge(w.key(), w.version(), Math::max));
            }
            written.clear();
            if (changed) {
                outboxSignal.signal();
            }
        });
    }

    public Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
        return tx.executeRead(status -> Optional.ofNullable(select(status.getConnection(), type, namespace, name)));
    }

    /**
     * The newest version at which this gateway committed a change of the kind, 0 if none since it started: a view
     * fed by the change stream that has seen that version of the kind reads this gateway's own writes
     * ({@link io.kubus.gateway.watch.CachedObjects}). Writes through other gateways are not counted.
     */
    public long lastWritten(ResourceType type) {
        return lastWritten.getOrDefault(key(type), 0L);
    }

    /** The newest resourceVersion committed. */
    public long currentVersion() {
        return tx.executeRead(status -> {
            try (PreparedStatement ps = status.getConnection().prepareStatement(
                    "SELECT current_version FROM resource_version WHERE id = 1")) {
                return readVersion(ps);
            }
        });
    }

    /**
     * Lists one kind, in one namespace or all ({@code namespace == null}), consistent at the returned version, the
     * newest committed; writers are not held back while it reads (see {@link ObjectLists}).
     */
    public ObjectList list(ResourceType type, @Nullable String namespace) {
        return lists.list(new ListScope(type, namespace));
    }

    /** Lists read at a version, page by page or as a stream. */
    public ObjectLists lists() {
        return lists;
    }

    /** The version below which lists can no longer be read: the history they would need is compacted. */
    public long compactedVersion() {
        return history.compactedVersion();
    }

    /**
     * The objects of one kind in one namespace ({@code ""} for cluster-scoped kinds) as committed, read without the
     * version lock: no writer waits for it and it carries no version to watch from. For admission lookups that, like
     * kube-apiserver's informer-fed plugins, tolerate a write in flight (a namespace's LimitRanges, the
     * PriorityClasses); inside a write's transaction it sees that transaction's own writes too.
     */
    public List<ObjectNode> listCommitted(ResourceType type, String namespace) {
        return tx.executeRead(status -> {
            List<ObjectNode> items = new ArrayList<>();
            try (PreparedStatement ps = status.getConnection().prepareStatement(
                    "SELECT name, body FROM api_object WHERE resource = ? AND namespace = ? ORDER BY name")) {
                ps.setString(1, key(type));
                ps.setString(2, namespace);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(parse(fromStorage(type, namespace, rs.getString(1), rs.getString(2))));
                    }
                }
            }
            return items;
        });
    }

    /**
     * Reads the object, lets {@code decide} choose what to do with it, and applies that with a new resourceVersion
     * and an outbox event, in one transaction, committed before this returns. {@code decide} may throw to refuse the
     * write; then nothing is stored or published. Writes of this gateway are applied one at a time in arrival order
     * and committed in groups ({@link GroupCommit}), so {@code decide} sees every write before it; a write made inside
     * another's {@code decide} joins that write's transaction.
     */
    public WriteResult write(ResourceType type, String namespace, String name,
                             Function<ObjectNode, WriteOutcome> decide) {
        return writeAll(List.of(new Write(type, namespace, name, decide))).getFirst();
    }

    /**
     * An update decided, for the most part, outside the ordered section, as kube-apiserver's GuaranteedUpdate decides
     * on the object it read and lets etcd compare revisions: {@code prepare} runs on the caller's thread with a copy
     * of the object as last committed (null if there is none) and may throw to refuse; the committer then checks that
     * the object is still at the version prepare saw, and only {@code decide} (what must see the store in order: an
     * allocation, the outcome) runs there, with the same object. When another write changed the object in between,
     * prepare runs again on the newer state; after {@value #OPTIMISTIC_ATTEMPTS} such misses the whole update runs in
     * order, as {@link #write} does. {@code prepare} must not act outside its result: it may run more than once.
     */
    public <P> WriteResult update(ResourceType type, String namespace, String name, Function<ObjectNode, P> prepare,
                                  BiFunction<ObjectNode, P, WriteOutcome> decide) {
        Function<ObjectNode, WriteOutcome> inOrder = current -> decide.apply(current,
                prepare.apply(current == null ? null : current.deepCopy()));
        if (commits.nested() != null) {
            return write(type, namespace, name, inOrder);
        }
        for (int attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
            Row seen = tx.executeRead(status -> selectRow(status.getConnection(), type, namespace, name));
            ObjectNode current = objectOf(type, namespace, name, seen);
            P prepared = prepare.apply(current == null ? null : current.deepCopy());
            try {
                return commits.run((c, versions) -> {
                    // the same version is the same body: only the version is read again in the ordered section
                    if (selectVersion(c, type, namespace, name) != (seen == null ? 0 : seen.version())) {
                        throw Stale.INSTANCE;
                    }
                    return forgettingIfRefused(() -> List.of(applyOutcome(c, versions, type, namespace, name, current,
                            seen == null ? null : seen.body(),
                            decide.apply(current == null ? null : current.deepCopy(), prepared))));
                }).getFirst();
            } catch (Stale e) {
                // another write came first: decide again on what it left
            }
        }
        return write(type, namespace, name, inOrder);
    }

    /** How many times {@link #update} decides on a snapshot before it decides in order. */
    static final int OPTIMISTIC_ATTEMPTS = 3;

    /** The object changed since an {@link #update} read it; thrown often under contention, so without a trace. */
    private static final class Stale extends RuntimeException {
        static final Stale INSTANCE = new Stale();

        private Stale() {
            super("the object changed since it was read", null, false, false);
        }
    }

    /** One write of a {@link #writeAll batch}: the object it addresses and how to decide what to do with it. */
    public record Write(ResourceType type, @Nullable String namespace, String name,
                       Function<ObjectNode, WriteOutcome> decide) {
    }

    /**
     * Applies several writes in one transaction: each is decided and applied as {@link #write} does, with its own
     * new resourceVersion and outbox event, in the order given, and all of them commit together or not at all (a
     * {@code decide} that throws refuses the whole batch). Results come in the order of the writes.
     */
    public List<WriteResult> writeAll(List<Write> writes) {
        if (writes.isEmpty()) {
            return List.of();
        }
        GroupCommit.Group nested = commits.nested();
        if (nested != null) {
            // On the group's connection, not through the transaction manager: a refusal here must reach the outer
            // decide as it was thrown, without marking the whole group's transaction rollback-only.
            try {
                return apply(nested.connection(), writes, nested.versions());
            } catch (SQLException e) {
                throw new IllegalStateException("the store failed to write: " + e.getMessage(), e);
            }
        }
        return commits.run((c, versions) -> forgettingIfRefused(() -> apply(c, writes, versions)));
    }

    /** A write's work in its group, run by the committer. */
    @FunctionalInterface
    private interface Work {
        List<WriteResult> apply() throws SQLException;
    }

    /** Runs a write's work; if it is refused, its savepoint drops its changes and {@link #written} forgets them too. */
    private List<WriteResult> forgettingIfRefused(Work work) throws SQLException {
        int mark = written.size();
        try {
            return work.apply();
        } catch (SQLException | RuntimeException e) {
            written.subList(mark, written.size()).clear();
            throw e;
        }
    }

    /** Stops the committer: the group in progress commits, writes still waiting fail. */
    @PreDestroy
    void close() {
        commits.close();
    }

    private List<WriteResult> apply(Connection c, List<Write> writes, GroupCommit.Versions versions)
            throws SQLException {
        List<WriteResult> out = new ArrayList<>(writes.size());
        for (Write w : writes) {
            out.add(writeInTransaction(c, versions, w.type(), w.namespace(), w.name(), w.decide()));
        }
        return out;
    }

    private WriteResult writeInTransaction(Connection c, GroupCommit.Versions versions, ResourceType type,
                                           String namespace, String name, Function<ObjectNode, WriteOutcome> decide)
            throws SQLException {
        // No row lock: every writer holds the version row's lock (GroupCommit) while it reads and writes.
        Row row = selectRow(c, type, namespace, name);
        ObjectNode current = objectOf(type, namespace, name, row);
        return applyOutcome(c, versions, type, namespace, name, current, row == null ? null : row.body(),
                decide.apply(current == null ? null : current.deepCopy()));
    }

    /** What a decide chose, applied to the object {@code current} (stored as {@code stored}; both null if none). */
    private WriteResult applyOutcome(Connection c, GroupCommit.Versions versions, ResourceType type, String namespace,
                                     String name, @Nullable ObjectNode current, @Nullable String stored,
                                     WriteOutcome decided) throws SQLException {
        WriteOutcome outcome = decided;
        if (outcome instanceof WriteOutcome.Keep && current != null && transformers.of(type).isStale(stored)) {
            // Stored under an older key or provider: an update that changes nothing rewrites it, as kube-apiserver
            // rewrites a stale value, so that rewriting every object moves them all to the key that writes now.
            outcome = WriteOutcome.put(current.deepCopy());
        }
        return switch (outcome) {
            case WriteOutcome.Keep keep -> new WriteResult(current, null);
            case WriteOutcome.Put put -> {
                long version = versions.next();
                ObjectNode obj = put.object();
                ((ObjectNode) obj.with("metadata")).put("resourceVersion", Long.toString(version));
                // written once, for the object's row and (unless its event leaves something out) the event's
                String json = storedJson(type, name, obj);
                if (current == null) {
                    insert(c, type, namespace, name, obj, json, version);
                } else {
                    // The replaced state stays readable for lists at earlier versions (ObjectLists).
                    history.record(c, key(type), namespace == null ? "" : namespace, name, version, Instant.now(clock));
                    update(c, type, namespace, name, json, version);
                }
                WatchEventType change = current == null ? WatchEventType.ADDED : WatchEventType.MODIFIED;
                appendOutbox(c, type, change, obj, json, version);
                written.add(new Written(key(type), version));
                yield new WriteResult(obj, change);
            }
            case WriteOutcome.Remove remove -> {
                if (current == null) {
                    yield new WriteResult(null, null);
                }
                long version = versions.next();
                history.record(c, key(type), namespace == null ? "" : namespace, name, version, Instant.now(clock));
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM api_object WHERE resource = ? AND namespace = ? AND name = ?")) {
                    bindKey(ps, 1, type, namespace, name);
                    ps.executeUpdate();
                }
                current.with("metadata").put("resourceVersion", Long.toString(version));
                appendOutbox(c, type, WatchEventType.DELETED, current, null, version);
                written.add(new Written(key(type), version));
                yield new WriteResult(current, WatchEventType.DELETED);
            }
        };
    }

    private record Written(String key, long version) {
    }

    /**
     * The rows of a kind: every version serving it shares its storage version's, so each sees the same objects (and
     * the same change events, which are the storage version's).
     */
    static String key(ResourceType type) {
        ResourceType stored = type.storageType();
        return stored.group() + "/" + stored.version() + "/" + stored.plural();
    }

    private ObjectNode select(Connection c, ResourceType type, String namespace, String name) throws SQLException {
        return objectOf(type, namespace, name, selectRow(c, type, namespace, name));
    }

    /** An object's row as stored: its resourceVersion and its body (encrypted if its kind is). */
    private record Row(long version, String body) {
    }

    /** The object a row holds, readable; null for no row. */
    private @Nullable ObjectNode objectOf(ResourceType type, String namespace, String name, @Nullable Row row) {
        return row == null ? null : parse(fromStorage(type, namespace, name, row.body()));
    }

    /** The object's resourceVersion as stored, 0 when there is no object (versions start at 1). */
    private static long selectVersion(Connection c, ResourceType type, String namespace, String name)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT resource_version FROM api_object WHERE resource = ? AND namespace = ? AND name = ?")) {
            bindKey(ps, 1, type, namespace, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static @Nullable Row selectRow(Connection c, ResourceType type, String namespace, String name)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT resource_version, body FROM api_object WHERE resource = ? AND namespace = ? AND name = ?")) {
            bindKey(ps, 1, type, namespace, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Row(rs.getLong(1), rs.getString(2)) : null;
            }
        }
    }

    /** Binds an object's key (kind, namespace, name) to three parameters from {@code first} on. */
    private static void bindKey(PreparedStatement ps, int first, ResourceType type, @Nullable String namespace,
                                String name) throws SQLException {
        ps.setString(first, key(type));
        ps.setString(first + 1, namespace == null ? "" : namespace);
        ps.setString(first + 2, name);
    }

    private static long readVersion(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("resource_version row missing: the schema is not migrated");
            }
            return rs.getLong(1);
        }
    }

    private void insert(Connection c, ResourceType type, String namespace, String name, ObjectNode obj, String json,
                        long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO api_object (resource, namespace, name, uid, resource_version, body) VALUES (?, ?, ?, ?, ?, ?)")) {
            bindKey(ps, 1, type, namespace, name);
            ps.setString(4, obj.path("metadata").path("uid").asText(""));
            ps.setLong(5, version);
            ps.setString(6, toStorage(type, namespace, name, json));
            ps.executeUpdate();
        } catch (SQLException e) {
            if (isUniqueViolation(e)) {
                throw new DuplicateObjectException(type, name);
            }
            throw e;
        }
    }

    private void update(Connection c, ResourceType type, String namespace, String name, String json, long version)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE api_object SET resource_version = ?, body = ? WHERE resource = ? AND namespace = ? AND name = ?")) {
            ps.setLong(1, version);
            ps.setString(2, toStorage(type, namespace, name, json));
            bindKey(ps, 3, type, namespace, name);
            ps.executeUpdate();
        }
    }

    /** {@code json}: {@code obj} as JSON when the caller has it already, else null. */
    private void appendOutbox(Connection c, ResourceType type, WatchEventType change, ObjectNode obj,
                              @Nullable String json, long version) throws SQLException {
        ObjectNode published = obj;
        if (!type.eventOmits().isEmpty()) {
            // What the event contract leaves out (a Secret's data) consumers read from the gateway.
            published = obj.deepCopy();
            for (String omitted : type.eventOmits()) {
                JsonPointer at = JsonPointer.compile(omitted);
                if (published.at(at.head()) instanceof ObjectNode parent) {
                    parent.remove(at.last().getMatchingProperty());
                }
            }
        }
        ChangeEvent event = ChangeEvent.of(type.storageType(), change, version, Instant.now(clock), published);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO outbox (resource_version, topic, record_key, event_type, ce_type, event_time, body) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, version);
            ps.setString(2, event.topic());
            ps.setString(3, event.key());
            ps.setString(4, change.name());
            ps.setString(5, event.ceType());
            ps.setString(6, event.time().toString());
            ps.setString(7, published == obj && json != null ? json : KubusJson.write(published));
            ps.executeUpdate();
        }
    }

    /** The object as it is stored and published, refused over {@link #MAX_OBJECT_BYTES}. */
    private static String storedJson(ResourceType type, String name, ObjectNode obj) {
        String json = KubusJson.write(obj);
        // a character is at most 3 bytes of UTF-8: only a long body is counted
        if (json.length() > MAX_OBJECT_BYTES / 3) {
            long bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > MAX_OBJECT_BYTES) {
                throw new ObjectTooLargeException(type, name, bytes);
            }
        }
        return json;
    }

    private String toStorage(ResourceType type, @Nullable String namespace, String name, String json) {
        return transformers.of(type).toStorage(json, storageContext(type, namespace, name));
    }

    private String fromStorage(ResourceType type, @Nullable String namespace, String name, String stored) {
        return transformers.of(type).fromStorage(stored, storageContext(type, namespace, name));
    }

    /**
     * What a stored body is bound to (authenticated data of an encrypted one, as kube-apiserver binds a value to its
     * etcd key): a body copied to another object's row cannot be read there. A history row keeps its object's key.
     */
    static String storageContext(ResourceType type, @Nullable String namespace, String name) {
        return "/" + key(type) + "/" + (namespace == null ? "" : namespace) + "/" + name;
    }

    private static boolean isUniqueViolation(SQLException e) {
        // 23505 is unique_violation in both PostgreSQL and H2.
        return "23505".equals(e.getSQLState());
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) KubusJson.json().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored object is not JSON", e);
        }
    }
}
