package io.kubus.gateway.api;

import io.kubus.gateway.store.ListCursor;
import io.kubus.gateway.store.ListRow;
import io.kubus.gateway.store.ListScope;
import io.kubus.gateway.store.ObjectLists;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A list response read as its objects are read from the store: each read takes the cursor's next rows into a chunk of
 * about {@value #CHUNK_BYTES} bytes, so a list of any length needs memory for about one chunk and the database's
 * cursor. The server reads it on a blocking thread as the connection takes the bytes (Micronaut writes an InputStream
 * body a few chunks ahead of the socket, where a published body would be drained into the channel at once), and
 * closes it whatever ends the response: its end, an error, or the client going away. The cursor, and with it a
 * database connection, is taken by the first read and given back by the last one or by {@link #close()}.
 */
final class ListStream extends InputStream {
    static final int CHUNK_BYTES = 64 * 1024;

    private final ObjectLists lists;
    private final ListScope scope;
    private final Supplier<ListCursor> cursors;
    private final ObjectFilter filter;
    private final long limit;
    private final ListWriter writer;
    private ListCursor cursor;
    private PageReader page;
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean finished;
    private volatile boolean closed;

    /**
     * @param cursors opens the list's cursor, at the first read
     * @param limit   objects per page, 0 for all
     */
    ListStream(ObjectLists lists, ListScope scope, Supplier<ListCursor> cursors, ObjectFilter filter, long limit,
               ListWriter writer) {
        this.lists = lists;
        this.scope = scope;
        this.cursors = cursors;
        this.filter = filter;
        this.limit = limit;
        this.writer = writer;
    }

    /**
     * Reads the first chunk now, before the response's status is sent, so that a failure there (an object that cannot
     * be decrypted, history compacted meanwhile) is answered with its Status, as kube-apiserver answers a list it
     * could not read. Closes the stream when it fails.
     */
    ListStream prefetch() {
        synchronized (this) {
            try {
                nextChunk();
                return this;
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos == chunk.length) {
            if (finished || closed) {
                return -1;
            }
            try {
                nextChunk();
            } catch (RuntimeException e) {
                // The response is under way: all that can be done is to break it, so the client sees a failure.
                closeCursor();
                throw new IOException("the list could not be read to its end: " + e.getMessage(), e);
            }
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    private void nextChunk() {
        if (page == null) {
            cursor = cursors.get();
            page = new PageReader(cursor, filter, limit, writer.parses());
            writer.start(cursor.version(), limit == 0);
        }
        while (writer.out.size() < CHUNK_BYTES) {
            PageReader.Item item = page.next();
            if (item == null) {
                finish();
                break;
            }
            writer.item(item.row().body(), item.object());
        }
        chunk = writer.out.toByteArray();
        pos = 0;
        writer.out.reset();
    }

    /** Ends the list: with a continue token after the page's last object when the list goes on. */
    private void finish() {
        finished = true;
        long version = cursor.version();
        // The cursor's work is done: its connection goes back to the pool before the count takes one, so that lists
        // waiting for a second connection can never hold the whole pool.
        closeCursor();
        String token = null;
        Long remaining = null;
        ListRow last = page.last();
        if (page.more() && last != null) {
            token = new ContinueToken(version, ContinueToken.startAfter(scope.type(), last.namespace(), last.name()))
                    .encode();
            if (filter.everything()) {
                // -1: the history this count needs was compacted meanwhile; the count is optional, so it is left out.
                long count = lists.countAfter(scope, version, last.key());
                remaining = count >= 0 ? count : null;
            }
        }
        writer.end(version, limit == 0, token, remaining);
    }

    @Override
    public void close() {
        // Not synchronized: a close from another thread must not wait for a read; the cursor waits for its own.
        closed = true;
        closeCursor();
    }

    private void closeCursor() {
        ListCursor c = cursor;
        if (c != null) {
            c.close();
        }
    }
}
