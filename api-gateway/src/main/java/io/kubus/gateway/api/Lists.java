package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.kubus.gateway.store.HistoryCompactedException;
import io.kubus.gateway.store.ListCursor;
import io.kubus.gateway.store.ListKey;
import io.kubus.gateway.store.ListRow;
import io.kubus.gateway.store.ListScope;
import io.kubus.gateway.store.ObjectLists;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * GET of a collection, as kube-apiserver serves it: {@code limit} and {@code continue} pages, every page shown at the
 * first page's resourceVersion (read from the object history), {@code resourceVersion} and
 * {@code resourceVersionMatch} as the storage honours them, and the response streamed as it is read. Also the
 * paging of deletecollection, which lists the same way.
 */
final class Lists {
    /** The page size deletecollection lists with when its request sets no limit. */
    static final int DELETE_COLLECTION_PAGE = 500;
    /** kube-apiserver's message for a continue token whose version is compacted (etcd3 store, errors.go). */
    static final String INCONSISTENT_CONTINUE = "The provided continue parameter is too old to display a consistent "
            + "list result. You can start a new list without the continue parameter, or use the continue token in "
            + "this response to retrieve the remainder of the results. Continuing with the provided token results "
            + "in an inconsistent list - objects that were created, modified, or deleted between the time the first "
            + "chunk was returned and now may show up in the list.";
    static final String EXPIRED_LIST = "The resourceVersion for the provided list is too old.";

    private final ObjectStore store;
    private final Representation representation;

    Lists(ObjectStore store, Representation representation) {
        this.store = store;
        this.representation = representation;
    }

    /**
     * What a list reads: its scope, the version it shows (null: the newest, decided when the read starts), where it
     * starts and how many objects a page holds (0: all).
     */
    record Plan(ListScope scope, @Nullable Long version, @Nullable ListKey start, boolean inclusive, long limit) {
        /** How many rows the first statement asks for: a page and one more, to know whether the list goes on. */
        int batch() {
            return limit <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, limit + 1);
        }
    }

    ApiResponse list(ApiPath path, Set<String> selectableFields, Query query, Format format) {
        ObjectFilter filter = ObjectFilter.of(path.type(), selectableFields, path.namespace(), query);
        ListPaging options = ListPaging.of(query, ListOptions.of(query));
        // A bad includeObject is refused before the list starts, not after its first rows are sent.
        ListWriter writer = ListWriter.of(format, path.type(), representation, query.get("includeObject"));
        Plan plan = plan(path.type(), path.namespace(), options);
        ObjectLists lists = store.lists();
        ListStream stream = new ListStream(lists, plan.scope(),
                () -> lists.open(plan.scope(), plan.version(), plan.start(), plan.inclusive(), plan.batch()),
                filter, plan.limit(), writer);
        try {
            return ApiResponse.input(format.contentType(), stream.prefetch());
        } catch (HistoryCompactedException e) {
            // Compacted between the plan's look at the history and the read: the answer the plan would have given.
            throw compacted(options.continueToken());
        }
    }

    /** 410 for a list whose version's history is compacted: a continue token gets one that goes on at the newest. */
    private static ApiException compacted(@Nullable ContinueToken token) {
        return token != null
                ? ApiException.expired(INCONSISTENT_CONTINUE, new ContinueToken(ContinueToken.LATEST, token.start()).encode())
                : ApiException.gone(EXPIRED_LIST);
    }

    /**
     * Decides the version and start of a list from its options, with kube-apiserver's refusals: 410 for a version
     * or continue token whose history is compacted (a token gets a fresh one that continues at the newest version),
     * 504 for a version the store has not reached.
     */
    Plan plan(ResourceType type, @Nullable String namespace, ListPaging options) {
        ListScope scope = new ListScope(type, namespace);
        ContinueToken token = options.continueToken();
        if (token != null) {
            ContinueToken.Position at = token.position(type, namespace);
            Long version = null;
            if (token.resourceVersion() > 0) {
                version = token.resourceVersion();
                requireReached(BigInteger.valueOf(version));
                if (version < store.compactedVersion()) {
                    throw compacted(token);
                }
            }
            return new Plan(scope, version, at.key(), at.inclusive(), options.limit());
        }
        BigInteger rv = options.resourceVersion();
        Long version = null;
        if (rv != null) {
            requireReached(rv);
            if (options.exact()) {
                version = rv.longValueExact();
                if (version < store.compactedVersion()) {
                    throw compacted(null);
                }
            }
        }
        return new Plan(scope, version, null, false, options.limit());
    }

    /**
     * A list asking for a version above the newest is refused at once (kube-apiserver's etcd store: "Too large
     * resource version", a 504 Timeout with the ResourceVersionTooLarge cause; its watch cache first waits up to 3 s
     * for the version to arrive, which a store that is the source of truth need not).
     */
    private void requireReached(BigInteger rv) {
        long current = store.lists().currentVersion();
        if (rv.compareTo(BigInteger.valueOf(current)) > 0) {
            StatusCause cause = new StatusCause();
            cause.setReason("ResourceVersionTooLarge");
            cause.setMessage("Too large resource version");
            throw ApiException.of(504, "Timeout", "Timeout: Too large resource version: " + rv + ", current: " + current,
                    new StatusDetailsBuilder().withCauses(cause).build());
        }
    }

    /** What deletecollection went through: the version its list showed, and the continue token of a limited one. */
    record Listed(long version, @Nullable String continueToken) {
    }

    /**
     * Hands every object of the list the query names to {@code each}, page by page (kube-apiserver's DeleteCollection:
     * pages of {@value #DELETE_COLLECTION_PAGE} at one version, or only the first page when the request sets a
     * limit). Each page is read whole and its cursor closed before {@code each} runs, so the writes {@code each}
     * makes never wait on a read. If the version is compacted before the last page, the rest is read at the newest.
     */
    Listed forEach(ApiPath path, Query query, ObjectFilter filter, Consumer<ObjectNode> each) {
        ListPaging options = ListPaging.of(query, ListOptions.of(query));
        Plan plan = plan(path.type(), path.namespace(), options);
        long limit = options.paged() ? options.limit() : DELETE_COLLECTION_PAGE;
        Long version = plan.version();
        ListKey start = plan.start();
        boolean inclusive = plan.inclusive();
        Long shown = null;
        while (true) {
            List<ObjectNode> page = new ArrayList<>();
            ListRow last;
            boolean more;
            long pageVersion;
            try (ListCursor cursor = store.lists().open(plan.scope(), version, start, inclusive,
                    (int) Math.min(Integer.MAX_VALUE, limit + 1))) {
                PageReader reader = new PageReader(cursor, filter, limit, true);
                for (PageReader.Item item = reader.next(); item != null; item = reader.next()) {
                    page.add(item.object());
                }
                last = reader.last();
                more = reader.more();
                pageVersion = cursor.version();
            } catch (HistoryCompactedException e) {
                version = null;
                continue;
            }
            if (shown == null) {
                shown = pageVersion;
            }
            page.forEach(each);
            if (!more || last == null) {
                return new Listed(shown, null);
            }
            if (options.paged()) {
                return new Listed(shown, new ContinueToken(pageVersion,
                        ContinueToken.startAfter(path.type(), last.namespace(), last.name())).encode());
            }
            version = pageVersion;
            start = last.key();
            inclusive = false;
        }
    }
}
