package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.watch.WatchCache;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
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

    public WatchStreams(WatchCache cache, ObjectStore store, Representation representation, GatewaySettings settings) {
        this.cache = cache;
        this.store = store;
        this.representation = representation;
        this.settings = settings;
    }

    public ApiResponse watch(ApiPath path, Query query, Format format) {
        ResourceType type = path.type();
        ObjectFilter filter = ObjectFilter.of(type, path.namespace(), query);
        ListOptions.validateWatch(query);
        Long timeout = query.nonNegativeLong("timeoutSeconds");
        String rv = query.get("resourceVersion");
        boolean sendInitial = rv == null || rv.isEmpty() || rv.equals("0");
        Set<String> matching = ConcurrentHashMap.newKeySet();
        Sinks.Many<Item> sink = Sinks.many().unicast().onBackpressureBuffer(
                Queues.<Item>get(settings.getWatcherBuffer()).get());
        long from;
        long snapshot = 0;
        if (sendInitial || filter.selective()) {
            ObjectList list = store.list(type, path.namespace());
            for (ObjectNode item : list.items()) {
                if (filter.matches(item)) {
                    matching.add(ChangeEvent.keyOf(item));
                    if (sendInitial) {
                        sink.tryEmitNext(new Item(WatchEventType.ADDED, item, 0));
                    }
                }
            }
            from = sendInitial ? list.resourceVersion() : parseVersion(rv);
            snapshot = sendInitial ? 0 : list.resourceVersion();
        } else {
            from = parseVersion(rv);
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
        ObjectNode obj = item.object;
        if (type == ResourceTypes.SECRETS && item.type != WatchEventType.DELETED && item.version > 0) {
            // Secret data never travels on Kafka; the watcher gets it from the store when it is still current.
            obj = store.get(type, obj.path("metadata").path("namespace").asText(""),
                    obj.path("metadata").path("name").asText())
                    .filter(s -> s.path("metadata").path("resourceVersion").asText().equals(Long.toString(item.version)))
                    .orElse(obj);
        }
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("type", item.type.name());
        event.set("object", format == Format.TABLE ? representation.table(type, List.of(obj), null, null) : obj);
        byte[] json = representation.encode(event, Format.JSON);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    private static long parseVersion(String rv) {
        try {
            long v = Long.parseLong(rv);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("resourceVersion: Invalid value: \"" + rv + "\": must be a non-negative integer");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing to do: the registration is gone either way
        }
    }

    private record Item(WatchEventType type, ObjectNode object, long version) {
    }
}
