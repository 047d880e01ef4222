package io.kubus.gateway.api;

import io.kubus.gateway.store.ListCursor;
import io.kubus.gateway.store.ListRow;
import io.kubus.gateway.store.ListScope;
import io.kubus.gateway.store.ObjectLists;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Schedulers;

import java.util.function.Supplier;

/**
 * A list response written as its objects are read: the cursor's rows go into chunks of about {@value #CHUNK_BYTES}
 * bytes, each made when the client is ready for it (Reactor's back-pressure), so a list of any length needs memory
 * for about one chunk and the database's cursor. The cursor is opened when the response starts and closed whatever
 * ends it: the last chunk, an error, or the client going away.
 */
final class ListStream {
    static final int CHUNK_BYTES = 64 * 1024;

    private ListStream() {
    }

    /**
     * @param cursors opens the list's cursor; called once, on a worker thread, when the response starts
     * @param limit   objects per page, 0 for all
     */
    static Flux<byte[]> chunks(ObjectLists lists, ListScope scope, Supplier<ListCursor> cursors, ObjectFilter filter,
                               long limit, ListWriter writer) {
        return Flux.using(cursors::get,
                        cursor -> Flux.generate(() -> new State(lists, scope, cursor, filter, limit, writer),
                                ListStream::nextChunk),
                        // Closing waits for a read in progress; never on the event loop that delivers a cancel.
                        cursor -> Schedulers.boundedElastic().schedule(cursor::close))
                // Each chunk is read from the database on a worker, when the client asks for it.
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static State nextChunk(State s, SynchronousSink<byte[]> sink) {
        if (s.finished) {
            sink.complete();
            return s;
        }
        if (s.page == null) {
            s.page = new PageReader(s.cursor, s.filter, s.limit, s.writer.parses());
            s.writer.start(s.cursor.version(), s.limit == 0);
        }
        while (s.writer.out.size() < CHUNK_BYTES) {
            PageReader.Item item = s.page.next();
            if (item == null) {
                s.finish();
                break;
            }
            s.writer.item(item.row().body(), item.object());
        }
        sink.next(s.writer.out.toByteArray());
        s.writer.out.reset();
        return s;
    }

    private static final class State {
        final ObjectLists lists;
        final ListScope scope;
        final ListCursor cursor;
        final ObjectFilter filter;
        final long limit;
        final ListWriter writer;
        PageReader page;
        boolean finished;

        State(ObjectLists lists, ListScope scope, ListCursor cursor, ObjectFilter filter, long limit,
              ListWriter writer) {
            this.lists = lists;
            this.scope = scope;
            this.cursor = cursor;
            this.filter = filter;
            this.limit = limit;
            this.writer = writer;
        }

        /** Ends the list: with a continue token after the page's last object when the list goes on. */
        void finish() {
            finished = true;
            long version = cursor.version();
            // The cursor's work is done: its connection goes back to the pool before the count takes one, so
            // that lists waiting for a second connection can never hold the whole pool.
            cursor.close();
            String token = null;
            Long remaining = null;
            ListRow last = page.last();
            if (page.more() && last != null) {
                token = new ContinueToken(version, ContinueToken.startAfter(scope.type(), last.namespace(),
                        last.name())).encode();
                if (filter.everything()) {
                    // -1: the history this count needs was compacted meanwhile; the count is optional, so it is left out.
                    long count = lists.countAfter(scope, version, last.key());
                    remaining = count >= 0 ? count : null;
                }
            }
            writer.end(version, limit == 0, token, remaining);
        }
    }
}
