package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.DeleteRequest;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.outbox.ChangeTopics;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.apiextensions.CustomResourceDefinitionStrategy;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.watch.StoreFollower;
import io.kubus.gateway.watch.WatchCache;
import io.kubus.schema.CustomResourceTypes;
import io.kubus.schema.CustomResourceTypes.CustomKind;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;

/**
 * What kube-apiserver's apiextensions controllers do, in every gateway: follows the CustomResourceDefinitions
 * (listed, then watched through the watch cache) and keeps {@link ServedTypes} current with them, and reconciles each
 * definition, level-triggered:
 * <ul>
 *   <li><b>naming and establishing</b>: names that no other definition of the group holds are accepted
 *   ({@code NamesAccepted}); the kind's change topic is made; then it is {@code Established} and served. A name
 *   conflict leaves it not accepted, with the conflict as the condition's message.</li>
 *   <li><b>cleanup</b> (the {@value CustomResourceDefinitionStrategy#CLEANUP_FINALIZER} finalizer): a definition being
 *   deleted stops taking new objects, every object of its kind is deleted (as a client's delete would, finalizers
 *   honoured), and once none is left the finalizer goes, and with it the definition and the served kind.</li>
 * </ul>
 * Several gateways may reconcile one definition at once: each decision is made again under the definition's row lock,
 * and writes nothing when the definition already says it.
 */
@Context
@Requires(env = GatewayApplication.ENVIRONMENT)
public class CustomResourceDefinitionController implements AutoCloseable, StoreFollower.View {
    private static final Logger LOG = LoggerFactory.getLogger(CustomResourceDefinitionController.class);
    private static final ResourceType CRDS = ResourceTypes.CUSTOMRESOURCEDEFINITIONS;
    /** How soon a definition whose objects are still going is looked at again. */
    private static final long CLEANUP_RETRY_MS = 1_000;

    private final ServedTypes served;
    private final ObjectStore store;
    private final ChangeTopics topics;
    private final GenericRegistry registry;
    private final WatchCache watchCache;
    private final Clock clock;
    private final DelayQueue<Key> queue = new DelayQueue<>();
    private final Thread worker;
    private final StoreFollower follower;
    private volatile boolean running = true;

    public CustomResourceDefinitionController(ServedTypes served, ObjectStore store, WatchCache watchCache,
                                              ChangeTopics topics, GenericRegistry registry, Clock clock) {
        this.served = served;
        this.store = store;
        this.topics = topics;
        this.registry = registry;
        this.watchCache = watchCache;
        this.clock = clock;
        this.worker = Thread.ofPlatform().daemon().name("crd-controller").start(this::work);
        this.follower = new StoreFollower("crd-follower", List.of(CRDS), store, watchCache, this);
    }

    @Override
    public void replace(ResourceType type, ObjectList list) {
        served.replaceAll(list.items());
        list.items().forEach(crd -> enqueue(name(crd), 0));
    }

    @Override
    public void apply(ResourceType type, WatchEventType change, ObjectNode crd) {
        if (change == WatchEventType.DELETED) {
            Optional<CustomKind> gone = served.definition(name(crd));
            served.remove(name(crd));
            gone.ifPresent(kind -> watchCache.endWatches(kind.storage().topic()));
        } else {
            served.put(crd);
            enqueue(name(crd), 0);
        }
    }

    private void enqueue(String name, long delayMs) {
        queue.add(new Key(name, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs)));
    }

    private void work() {
        while (running) {
            Key key;
            try {
                key = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            // the changes that came while it waited are all seen by this one look
            queue.removeIf(k -> k.name.equals(key.name) && k.getDelay(TimeUnit.NANOSECONDS) <= 0);
            try {
                if (reconcile(key.name)) {
                    enqueue(key.name, CLEANUP_RETRY_MS);
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("reconciling CustomResourceDefinition {} failed, retrying in 1 s: {}", key.name, e.toString());
                enqueue(key.name, CLEANUP_RETRY_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One definition brought to what it says; true when it must be looked at again (objects still going). */
    boolean reconcile(String name) throws InterruptedException {
        Optional<ObjectNode> found = store.get(CRDS, "", name);
        if (found.isEmpty()) {
            served.remove(name);
            return false;
        }
        ObjectNode crd = found.get();
        if (crd.path("metadata").hasNonNull("deletionTimestamp")) {
            return cleanUp(crd);
        }
        establish(crd);
        return false;
    }

    /** NamesAccepted, the change topic, Established: each written only when the definition does not say it yet. */
    private void establish(ObjectNode crd) throws InterruptedException {
        String name = name(crd);
        String conflict = nameConflict(crd);
        if (conflict == null && accepted(crd, true).equals(crd)) {
            return; // named, Established and its topic made: a change of its spec's schema needs none of it again
        }
        if (conflict == null && CustomResourceTypes.storageVersion(crd) != null) {
            CustomKind kind = CustomResourceTypes.of(accepted(crd, true)).orElseThrow();
            // the topic exists before the kind is served: its first object must have somewhere to go
            topics.ensure(List.of(kind.storage().topic()));
        }
        store.write(CRDS, "", name, current -> {
            if (current == null || current.path("metadata").hasNonNull("deletionTimestamp")) {
                return WriteOutcome.keep();
            }
            ObjectNode next = conflict == null ? accepted(current, true) : notAccepted(current, conflict);
            return next.equals(current) ? WriteOutcome.keep() : WriteOutcome.put(next);
        });
    }

    /**
     * The definition with its spec's names accepted and, when {@code establish}, Established (kube's naming and
     * establishing controllers; Kubus needs no wait between them, its gateways learn of the definition from its
     * change event, as the watch cache serves it).
     */
    private ObjectNode accepted(ObjectNode crd, boolean establish) {
        ObjectNode next = crd.deepCopy();
        ObjectNode status = JsonTree.obj(next, "status");
        status.set("acceptedNames", next.path("spec").path("names").deepCopy());
        Instant now = clock.instant();
        CustomResourceDefinitionStrategy.setCondition(next, CustomResourceTypes.NAMES_ACCEPTED, "True", "NoConflicts",
                "no conflicts found", now);
        if (establish) {
            CustomResourceDefinitionStrategy.setCondition(next, CustomResourceTypes.ESTABLISHED, "True",
                    "InitialNamesAccepted", "the initial names have been accepted", now);
        }
        return next;
    }

    private ObjectNode notAccepted(ObjectNode crd, String conflict) {
        ObjectNode next = crd.deepCopy();
        Instant now = clock.instant();
        CustomResourceDefinitionStrategy.setCondition(next, CustomResourceTypes.NAMES_ACCEPTED, "False", "NameConflict",
                conflict, now);
        if (!CustomResourceTypes.hasCondition(next, CustomResourceTypes.ESTABLISHED)) {
            CustomResourceDefinitionStrategy.setCondition(next, CustomResourceTypes.ESTABLISHED, "False", "NotAccepted",
                    "not all names are accepted", now);
        }
        return next;
    }

    /**
     * The naming controller's conflict check: another definition of the same group that holds (has accepted) the
     * plural, the singular, a short name, the kind or the list kind. Null when there is none.
     */
    private String nameConflict(ObjectNode crd) {
        JsonNode names = crd.path("spec").path("names");
        String group = crd.path("spec").path("group").asText();
        // a built-in kind of the group keeps its names: one resource, one store key and one topic
        for (ResourceType builtIn : ResourceTypes.all()) {
            if (builtIn.group().equals(group) && (builtIn.plural().equals(names.path("plural").asText())
                    || builtIn.kind().equals(names.path("kind").asText()))) {
                return "\"" + (builtIn.plural().equals(names.path("plural").asText()) ? builtIn.plural() : builtIn.kind())
                        + "\" is already in use";
            }
        }
        for (ObjectNode other : store.listCommitted(CRDS, "")) {
            if (other.path("metadata").path("name").asText().equals(name(crd))
                    || !other.path("spec").path("group").asText().equals(group)) {
                continue;
            }
            JsonNode held = other.path("status").path("acceptedNames");
            for (String field : List.of("plural", "singular")) {
                String value = names.path(field).asText("");
                if (!value.isEmpty() && (value.equals(held.path("plural").asText()) || value.equals(held.path("singular").asText())
                        || JsonTree.contains(held.path("shortNames"), value))) {
                    return "\"" + value + "\" is already in use";
                }
            }
            for (JsonNode shortName : names.path("shortNames")) {
                String value = shortName.asText();
                if (value.equals(held.path("plural").asText()) || value.equals(held.path("singular").asText())
                        || JsonTree.contains(held.path("shortNames"), value)) {
                    return "\"" + value + "\" is already in use";
                }
            }
            for (String field : List.of("kind", "listKind")) {
                String value = names.path(field).asText("");
                if (!value.isEmpty() && (value.equals(held.path("kind").asText()) || value.equals(held.path("listKind").asText()))) {
                    return "\"" + value + "\" is already in use";
                }
            }
        }
        return null;
    }

    /**
     * The finalizer's work: every object of the kind deleted, then the finalizer removed. True while objects remain
     * (some wait for finalizers of their own).
     */
    private boolean cleanUp(ObjectNode crd) {
        String name = name(crd);
        if (!JsonTree.contains(crd.path("metadata").path("finalizers"), CustomResourceDefinitionStrategy.CLEANUP_FINALIZER)) {
            return false;
        }
        Optional<CustomKind> kind = CustomResourceTypes.of(crd);
        if (kind.isPresent()) {
            ResourceType type = kind.get().storage();
            List<ObjectNode> left = store.list(type, null).items();
            if (!left.isEmpty()) {
                setTerminating(name, "InstanceDeletionInProgress", "CustomResource deletion is in progress");
                for (ObjectNode object : left) {
                    JsonNode meta = object.path("metadata");
                    store.write(type, meta.path("namespace").asText(""), meta.path("name").asText(), current ->
                            current == null ? WriteOutcome.keep() : registry.deletion(type, current,
                                    new DeleteRequest(null, null, null, null, false)));
                }
                return true;
            }
        }
        store.write(CRDS, "", name, current -> {
            if (current == null) {
                return WriteOutcome.keep();
            }
            ObjectNode next = current.deepCopy();
            ArrayNode finalizers = JsonTree.obj(next, "metadata").withArray("finalizers");
            for (int i = finalizers.size() - 1; i >= 0; i--) {
                if (CustomResourceDefinitionStrategy.CLEANUP_FINALIZER.equals(finalizers.get(i).asText())) {
                    finalizers.remove(i);
                }
            }
            return GenericRegistry.settle(current, next);
        });
        return false;
    }

    private void setTerminating(String name, String reason, String message) {
        store.write(CRDS, "", name, current -> {
            if (current == null) {
                return WriteOutcome.keep();
            }
            ObjectNode next = current.deepCopy();
            CustomResourceDefinitionStrategy.setCondition(next, CustomResourceTypes.TERMINATING, "True", reason, message,
                    clock.instant());
            return next.equals(current) ? WriteOutcome.keep() : WriteOutcome.put(next);
        });
    }

    private static String name(JsonNode crd) {
        return crd.path("metadata").path("name").asText();
    }

    @PreDestroy
    @Override
    public void close() {
        running = false;
        follower.close();
        worker.interrupt();
    }

    private record Key(String name, long due) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(due, ((Key) o).due);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.name.equals(name) && k.due == due;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, due);
        }
    }
}
