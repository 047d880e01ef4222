package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.validation.GoQuote;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.watch.WatchCache;
import io.kubus.schema.ResourceType;
import io.kubus.gateway.registry.Strategies;
import io.kubus.schema.event.ChangeEvent;
import io.kubus.schema.event.WatchEventType;
import jakarta.inject.Singleton;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves {@code ?watch=true}: newline-delimited watch events, each {@code {"type":..,"object":..}}, from the watch
 * cache. With no resourceVersion (or "0") the current objects come first as ADDED, as kube-apiserver sends them.
 * With a selector, an object that starts or stops matching arrives as ADDED or DELETED.
 */
@Singleton
public class WatchStreams {
    private final WatchCache cache;
    private final ObjectStore store;
    private final Representation representation;
    private final GatewaySettings settings;
    private final Strategies strategies;

    public WatchStreams(WatchCache cache, ObjectStore store, Representation representation, GatewaySettings settings,
                        Strategies strategies) {
        this.strategies = strategies;
        this.cache = cache;
        this.store = store;
        this.representation = representation;
        this.settings = settings;
    }

    public ApiResponse watch(ApiPath path, Query query, Format format) {
        ResourceType type = path.type();
        ListOptions options = ListOptions.ofWatch(query);
        ObjectFilter filter = ObjectFilter.of(type, strategies.of(type).selectableFields(), path.namespace(), query);
        Long timeout = options.timeoutSeconds();
        String rv = options.resourceVersion();
        boolean sendInitial = options.initialEvents();
        boolean fromNow = rv.isEmpty() || rv.equals("0");
        // Checked before anything is listed, as the watch cache parses it before it starts a watcher.
        long requested = fromNow ? 0 : parseVersion(rv);
        Set<String> matching = ConcurrentHashMap.newKeySet();
        Sinks.Many<Item> sink = Sinks.many().unicast().onBackpressureBuffer(
                Queues.<Item>get(settings.getWatcherBuffer()).get());
        long from;
        long snapshot = 0;
        if (sendInitial || fromNow || filter.selective()) {
            ObjectList list = store.list(type, path.namespace());
            for (ObjectNode item : list.items()) {
                if (filter.matches(item)) {
                    matching.add(ChangeEvent.keyOf(item));
                    if (sendInitial) {
                        sink.tryEmitNext(new Item(WatchEventType.ADDED, item, 0));
                    }
                }
            }
            if (options.initialEventsEndBookmark()) {
                sink.tryEmitNext(Item.initialEventsEnd(list.resourceVersion()));
            }
            // With the initial events, or from "now" (sendInitialEvents=false and no resourceVersion), the watch goes
            // on from the version listed; from a client's version it replays what came after that.
            from = sendInitial || fromNow ? list.resourceVersion() : requested;
            snapshot = sendInitial || fromNow ? 0 : list.resourceVersion();
        } else {
            from = requested;
        }
        final long start = from;
        final long listed = snapshot;
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AutoCloseable registration = cache.watch(type, from, event -> {
            if (event == null) {
                sink.tryEmitComplete();
                return false;
            }
            if (event.resourceVersion() <= start) {
                // Kafka may deliver a change the initial list (or the client's list) already holds after the watch
                // registered: a watch sends only changes newer than its start version, as kube-apiserver does.
                return true;
            }
            Item item = filter.selective() ? transition(event, filter, matching, seen, listed)
                    : filter.matches(event.object()) ? new Item(event.type(), event.object(), event.resourceVersion()) : null;
            if (item == null) {
                return true;
            }
            if (sink.tryEmitNext(item).isFailure()) {
                // Too far behind: end the stream; the client re-lists and watches again.
                sink.tryEmitComplete();
                return false;
            }
            return true;
        });
        // An empty first chunk makes the server send the response headers now, as kube-apiserver flushes them when a
        // watch starts; otherwise a client waits for the headers until the first event, however long that takes.
        Flux<byte[]> events = sink.asFlux()
                .publishOn(Schedulers.boundedElastic())
                .map(item -> encode(type, item, format));
        Flux<byte[]> chunks = Flux.concat(Flux.just(new byte[0]), events)
                .doFinally(signal -> closeQuietly(registration));
        if (timeout != null && timeout > 0) {
            chunks = chunks.take(Duration.ofSeconds(timeout));
        } else if (timeout != null && timeout < 0) {
            // kube-apiserver's watch context is already over for a negative timeout: the watch ends at once.
            chunks = chunks.take(Duration.ZERO);
        }
        return ApiResponse.stream("application/json;stream=watch", new StreamingBody(chunks));
    }

    /**
     * The event a selective watch sends for a change. {@code matching} holds the keys that matched at version
     * {@code listed}; for a change at or below that version (replayed from before the watch started) whether the
     * object matched just before it is unknown, and a change that leaves it unmatched is sent as DELETED: the client
     * may hold it from its own list, and kube-apiserver would send DELETED if it had matched.
     */
    private static Item transition(ChangeEvent event, ObjectFilter filter, Set<String> matching, Set<String> seen,
                                   long listed) {
        ObjectNode obj = event.object();
        boolean now = filter.matches(obj);
        String key = event.key();
        boolean was = matching.contains(key);
        boolean unknown = seen.add(key) && event.resourceVersion() <= listed;
        return switch (event.type()) {
            case ADDED -> {
                if (!now) {
                    yield null;
                }
                matching.add(key);
                yield new Item(WatchEventType.ADDED, obj, event.resourceVersion());
            }
            case MODIFIED -> {
                if (now) {
                    yield new Item(matching.add(key) ? WatchEventType.ADDED : WatchEventType.MODIFIED, obj,
                            event.resourceVersion());
                }
                yield matching.remove(key) || unknown
                        ? new Item(WatchEventType.DELETED, obj, event.resourceVersion()) : null;
            }
            case DELETED -> {
                matching.remove(key);
                yield now || was ? new Item(WatchEventType.DELETED, obj, event.resourceVersion()) : null;
            }
        };
    }

    private byte[] encode(ResourceType type, Item item, Format format) {
        if (item.type == null) {
            ObjectNode event = JsonNodeFactory.instance.objectNode();
            // The bookmark: only kind, apiVersion and metadata.resourceVersion (+ its annotation) mean anything.
            event.put("type", "BOOKMARK");
            ObjectNode bookmark = event.putObject("object");
            bookmark.put("kind", type.kind());
            bookmark.put("apiVersion", type.apiVersion());
            ObjectNode meta = bookmark.putObject("metadata");
            meta.put("resourceVersion", Long.toString(item.version));
            meta.putObject("annotations").put(ListOptions.INITIAL_EVENTS_END, "true");
            return line(representation.encode(event, Format.JSON));
        }
        ObjectNode obj = item.object;
        if (!type.eventOmits().isEmpty() && item.type != WatchEventType.DELETED && item.version > 0) {
            // What the event leaves out (a Secret's data) the watcher gets from the store, when it is still current.
            obj = store.get(type, obj.path("metadata").path("namespace").asText(""),
                    obj.path("metadata").path("name").asText())
                    .filter(s -> s.path("metadata").path("resourceVersion").asText().equals(Long.toString(item.version)))
                    .orElse(obj);
        }
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("type", item.type.name());
        event.set("object", format == Format.TABLE ? representation.table(type, List.of(obj), null, null)
                : representation.served(type, obj));
        return line(representation.encode(event, Format.JSON));
    }

    private static byte[] line(byte[] json) {
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    /**
     * A resourceVersion as the storage versioner parses it (strconv.ParseUint), with its message. kube-apiserver
     * answers this one with a 500 (the storage's InvalidError reaches the handler unconverted); a client's bad input
     * is a 400 here, with the same message.
     */
    static long parseVersion(String rv) {
        boolean digits = !rv.isEmpty();
        for (int i = 0; i < rv.length() && digits; i++) {
            digits = rv.charAt(i) >= '0' && rv.charAt(i) <= '9';
        }
        String why = "invalid syntax";
        if (digits) {
            try {
                return Long.parseLong(rv);
            } catch (NumberFormatException e) {
                why = "value out of range"; // beyond int64 (uint64 in Go, but no version here gets that far)
            }
        }
        throw ApiException.badRequest("resourceVersion: Invalid value: " + GoQuote.quote(rv)
                + ": strconv.ParseUint: parsing " + GoQuote.quote(rv) + ": " + why);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing to do: the registration is gone either way
        }
    }

    /** One event to send; a null type is the bookmark that ends the initial events, at {@code version}. */
    private record Item(WatchEventType type, ObjectNode object, long version) {
        static Item initialEventsEnd(long version) {
            return new Item(null, null, version);
        }
    }
}
