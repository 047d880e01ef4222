package io.kubus.gateway.store;

import io.micronaut.transaction.TransactionOperations;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The ordered section of one gateway's writes: a single committer thread takes every write waiting when it is free
 * (up to {@value #MAX_GROUP}), applies them one after the other in arrival order inside one transaction, and commits
 * once for all of them; only then does it answer each writer. A database commit costs the same whether it holds one
 * change or sixty-four (H2 rewrites every page it touched, PostgreSQL flushes its log), so under load the writes share
 * it, as etcd's batched commits under kube-apiserver do, while a lone write still commits at once.
 *
 * <p>The group's transaction first locks the version row, so the groups of several gateways on one database follow
 * one another and the resourceVersions they assign rise in commit order on every topic; its versions are counted in
 * memory ({@link Versions}) and written back once. Each write runs under a savepoint: a write that is refused
 * (its decide throws, a unique key is taken) is rolled back alone, versions included, and the others commit. A
 * failure of the group itself (the commit, a lost connection) fails every write that had not been refused: none of
 * them was acknowledged, and the transaction leaves all of them out.
 */
final class GroupCommit<T> implements AutoCloseable {
    /** The largest group: PostgreSQL tracks up to 64 subtransactions (savepoints) of a transaction cheaply. */
    static final int MAX_GROUP = 64;

    /** One write of a group, run inside the group's transaction. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Connection c, Versions versions) throws SQLException;
    }

    private final TransactionOperations<Connection> tx;
    /**
     * Called on the committer thread after every group, with the results of the writes that committed (none when the
     * group failed or refused them all).
     */
    private final Consumer<List<T>> committed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition waiting = lock.newCondition();
    private final ArrayDeque<Pending<T>> queue = new ArrayDeque<>();
    private final Thread thread;
    private boolean closed;
    /** The group being applied; read only on the committer thread, by writes nested in a decide. */
    private Group active;

    GroupCommit(TransactionOperations<Connection> tx, Consumer<List<T>> committed) {
        this.tx = tx;
        this.committed = committed;
        this.thread = Thread.ofPlatform().name("store-committer").daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Runs {@code work} in the next group and returns its result once the group has committed; throws what the work
     * threw if it was refused, or the group's failure.
     */
    T run(Work<T> work) {
        Pending<T> p = new Pending<>(work);
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the store is closed");
            }
            queue.add(p);
            waiting.signal();
        } finally {
            lock.unlock();
        }
        try {
            return p.done.join();
        } catch (CompletionException e) {
            throw rethrown(e.getCause());
        }
    }

    /** The connection and versions of a group being applied. */
    record Group(Connection connection, Versions versions) {
    }

    /**
     * The group in progress when called from inside one of its writes (a write nested in another's decide joins that
     * write's transaction, on its connection), null anywhere else.
     */
    Group nested() {
        return Thread.currentThread() == thread ? active : null;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            waiting.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending<T>> group = new ArrayList<>(MAX_GROUP);
        while (true) {
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    waiting.awaitUninterruptibly();
                }
                if (queue.isEmpty()) {
                    return;
                }
                while (!queue.isEmpty() && group.size() < MAX_GROUP) {
                    group.add(queue.poll());
                }
            } finally {
                lock.unlock();
            }
            commit(group);
            group.clear();
        }
    }

    private void commit(List<Pending<T>> group) {
        try {
            tx.executeWrite(status -> {
                Connection c = status.getConnection();
                Versions versions = Versions.lock(c);
                active = new Group(c, versions);
                try {
                    for (Pending<T> p : group) {
                        long mark = versions.last();
                        Savepoint savepoint = c.setSavepoint();
                        try {
                            p.apply(c, versions);
                        } catch (Exception e) {
                            c.rollback(savepoint);
                            versions.reset(mark);
                            p.failure = e;
                        }
                    }
                    versions.store(c);
                } finally {
                    active = null;
                }
                return null;
            });
        } catch (Throwable t) {
            for (Pending<T> p : group) {
                if (p.failure == null) {
                    p.failure = t;
                }
            }
        }
        List<T> results = new ArrayList<>(group.size());
        for (Pending<T> p : group) {
            if (p.failure == null) {
                results.add(p.result);
            }
        }
        committed.accept(results);
        group.forEach(Pending::finish);
    }

    private static RuntimeException rethrown(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("the store failed to write: " + t.getMessage(), t);
    }

    private static final class Pending<T> {
        final Work<T> work;
        final CompletableFuture<T> done = new CompletableFuture<>();
        T result;
        Throwable failure;

        Pending(Work<T> work) {
            this.work = work;
        }

        void apply(Connection c, Versions versions) throws SQLException {
            result = work.apply(c, versions);
        }

        void finish() {
            if (failure == null) {
                done.complete(result);
            } else {
                done.completeExceptionally(failure);
            }
        }
    }

    /**
     * The resourceVersions of one group: read from the version row under its lock when the group begins, handed out
     * in memory, and written back once before the commit. The row lock, held until the commit, keeps other gateways'
     * groups out meanwhile.
     */
    static final class Versions {
        private final long start;
        private long last;

        private Versions(long start) {
            this.start = start;
            this.last = start;
        }

        static Versions lock(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT current_version FROM resource_version WHERE id = 1 FOR UPDATE");
                 ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("resource_version row missing: the schema is not migrated");
                }
                return new Versions(rs.getLong(1));
            }
        }

        long next() {
            return ++last;
        }

        long last() {
            return last;
        }

        void reset(long mark) {
            last = mark;
        }

        void store(Connection c) throws SQLException {
            if (last == start) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE resource_version SET current_version = ? WHERE id = 1")) {
                ps.setLong(1, last);
                ps.executeUpdate();
            }
        }
    }
}
