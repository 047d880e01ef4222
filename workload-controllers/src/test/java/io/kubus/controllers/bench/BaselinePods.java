package io.kubus.controllers.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import static io.kubus.controllers.bench.Bench.await;

/**
 * The bare pods of a benchmark's baseline, in a namespace of their own, as an informer on the pods' change topic
 * sees them: which are there, which Ready, which Succeeded. Made before the baseline starts, so that it is timed
 * the way the controllers' side is observed.
 */
final class BaselinePods implements AutoCloseable {
    static final String NAMESPACE = "baseline";

    final Set<String> present = ConcurrentHashMap.newKeySet();
    final Set<String> ready = ConcurrentHashMap.newKeySet();
    final Set<String> succeeded = ConcurrentHashMap.newKeySet();
    private final KubusApi api;
    private final Informer<Pod> informer;

    /** {@code onSucceeded} runs once for each pod seen Succeeded (e.g. to start the next one). */
    BaselinePods(ClusterFixture cluster, Runnable onSucceeded) throws InterruptedException {
        this.api = cluster.api();
        api.create(ResourceTypes.NAMESPACES, new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build());
        informer = Informer.builder(api, KafkaClientConfig.plaintext(cluster.gateway().kafkaBootstrap()), ResourceTypes.PODS, Pod.class)
                .namespace(NAMESPACE).name("bench-baseline").handler(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        onUpdate(null, pod);
                    }

                    @Override
                    public void onUpdate(Pod old, Pod now) {
                        String name = now.getMetadata().getName();
                        present.add(name);
                        if (PodStates.isReady(now)) {
                            ready.add(name);
                        }
                        if (now.getStatus() != null && "Succeeded".equals(now.getStatus().getPhase()) && succeeded.add(name)) {
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

    /** Deletes the pods of these names through {@code clients} and waits until the informer saw them all go. */
    void deleteAll(ExecutorService clients, Collection<String> names) throws Exception {
        List<Future<?>> deletes = new ArrayList<>();
        for (String name : names) {
            deletes.add(clients.submit(() -> api.deleteIfExists(ResourceTypes.PODS, NAMESPACE, name, null, null)));
        }
        for (Future<?> f : deletes) {
            f.get();
        }
        await("baseline pods gone", present::isEmpty, () -> present.size() + " left");
    }

    @Override
    public void close() {
        informer.close();
    }
}
