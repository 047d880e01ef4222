package io.kubus.controllers.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.testing.ClusterFixture;
import io.kubus.schema.ResourceTypes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

import static io.kubus.controllers.bench.Bench.await;

/**
 * The pods of one namespace made for a benchmark (by default the bare pods of its baseline), as an informer on the
 * pods' change topic sees them: which are there, which Ready, which Running, which Succeeded, and when each was first
 * seen, first seen Running and first seen Ready (System.nanoTime); for the pods made through {@link #create}, also
 * when each one's create request was sent. Made before the pods are, so that they are timed the way the controllers'
 * side is observed.
 */
final class BaselinePods implements AutoCloseable {
    static final String NAMESPACE = "baseline";

    final Set<String> present = ConcurrentHashMap.newKeySet();
    final Set<String> ready = ConcurrentHashMap.newKeySet();
    final Set<String> running = ConcurrentHashMap.newKeySet();
    final Set<String> succeeded = ConcurrentHashMap.newKeySet();
    final Map<String, Long> seenAt = new ConcurrentHashMap<>();
    final Map<String, Long> readyAt = new ConcurrentHashMap<>();
    final Map<String, Long> runningAt = new ConcurrentHashMap<>();
    /** When the create request of each pod made through {@link #create} was sent. */
    final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    final String namespace;
    private final KubusApi api;
    private final Informer<Pod> informer;

    /** {@code onSucceeded} runs once for each pod seen Succeeded (e.g. to start the next one). */
    BaselinePods(ClusterFixture cluster, Runnable onSucceeded) throws InterruptedException {
        this(cluster, NAMESPACE, onSucceeded);
    }

    /** The pods of {@code namespace}, which this makes. */
    BaselinePods(ClusterFixture cluster, String namespace, Runnable onSucceeded) throws InterruptedException {
        this.api = cluster.api();
        this.namespace = namespace;
        Bench.createNamespace(api, namespace);
        informer = Informer.builder(api, KafkaClientConfig.plaintext(cluster.gateway().kafkaBootstrap()), ResourceTypes.PODS, Pod.class)
                .namespace(namespace).name("bench-" + namespace).handler(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        onUpdate(null, pod);
                    }

                    @Override
                    public void onUpdate(Pod old, Pod now) {
                        String name = now.getMetadata().getName();
                        long at = System.nanoTime();
                        present.add(name);
                        seenAt.putIfAbsent(name, at);
                        if (PodStates.isReady(now) && ready.add(name)) {
                            readyAt.putIfAbsent(name, at);
                        }
                        String phase = now.getStatus() == null ? null : now.getStatus().getPhase();
                        if ("Running".equals(phase) && running.add(name)) {
                            runningAt.putIfAbsent(name, at);
                        }
                        if ("Succeeded".equals(phase) && succeeded.add(name)) {
                            onSucceeded.run();
                        }
                    }

                    @Override
                    public void onDelete(Pod last) {
                        present.remove(last.getMetadata().getName());
                    }
                }).build().start();
        informer.awaitSynced(Duration.ofSeconds(30));
    }

    /**
     * Creates the pods of these names (in this namespace), each made by {@code pod} on the client thread that sends it,
     * through {@code clients}; notes in {@link #sentAt} when each request was sent, and returns once all are answered.
     */
    void create(ExecutorService clients, Collection<String> names, Function<String, Pod> pod) throws Exception {
        List<Future<?>> creates = new ArrayList<>();
        for (String name : names) {
            creates.add(clients.submit(() -> {
                Pod p = pod.apply(name);
                sentAt.put(name, System.nanoTime());
                return api.create(ResourceTypes.PODS, p);
            }));
        }
        for (Future<?> f : creates) {
            f.get();
        }
    }

    /** Deletes the pods of these names through {@code clients} and waits until the informer saw them all go. */
    void deleteAll(ExecutorService clients, Collection<String> names) throws Exception {
        List<Future<?>> deletes = new ArrayList<>();
        for (String name : names) {
            deletes.add(clients.submit(() -> api.deleteIfExists(ResourceTypes.PODS, namespace, name, null, null)));
        }
        for (Future<?> f : deletes) {
            f.get();
        }
        awaitGone();
    }

    /** Waits until the informer saw every pod of the namespace go. */
    void awaitGone() throws InterruptedException {
        await(namespace + " pods gone", present::isEmpty, () -> present.size() + " left");
    }

    @Override
    public void close() {
        informer.close();
    }
}
