package io.kubus.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.ListCursor;
import io.kubus.gateway.store.ListRow;
import io.kubus.schema.KubusJson;
import io.micronaut.core.annotation.Nullable;

/**
 * The objects of one page: the rows of a cursor that the selectors match, up to the limit, as kube-apiserver's etcd
 * store fills a page. A page is full after {@code limit} matches; the list then goes on if the store holds any further
 * object, matching or not, so the last page of a selective list may come back empty, without a continue token.
 */
final class PageReader {
    private final ListCursor cursor;
    private final ObjectFilter filter;
    private final long limit;
    private final boolean parse;
    private long matched;
    private ListRow last;
    private boolean more;
    private boolean done;

    /**
     * @param limit objects per page; 0 for all
     * @param parse whether every object is wanted parsed (Table, YAML); a selector parses the objects it looks at
     */
    PageReader(ListCursor cursor, ObjectFilter filter, long limit, boolean parse) {
        this.cursor = cursor;
        this.filter = filter;
        this.limit = limit;
        this.parse = parse;
    }

    /** One object of the page: its stored JSON and, when parsed, its tree. */
    record Item(ListRow row, @Nullable ObjectNode object) {
    }

    /** The next object of the page, or null when the page is complete. */
    @Nullable Item next() {
        while (!done) {
            if (limit > 0 && matched == limit) {
                more = cursor.next() != null;
                done = true;
                break;
            }
            ListRow row = cursor.next();
            if (row == null) {
                done = true;
                break;
            }
            ObjectNode object = null;
            if (!filter.everything()) {
                object = parse(row.body());
                if (!filter.matches(object)) {
                    continue;
                }
            } else if (parse) {
                object = parse(row.body());
            }
            matched++;
            last = row;
            return new Item(row, object);
        }
        return null;
    }

    /** After the page: whether the list goes on past it. */
    boolean more() {
        return more;
    }

    /** The last object of the page, where the next page starts after; null for an empty page. */
    @Nullable ListRow last() {
        return last;
    }

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) KubusJson.json().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored object is not JSON", e);
        }
    }
}
