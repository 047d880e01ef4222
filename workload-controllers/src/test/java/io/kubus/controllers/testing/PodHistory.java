package io.kubus.controllers.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.client.informer.Informer;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.controllers.common.PodStates;
import io.kubus.schema.ResourceTypes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every change of the pods matching a label selector, as a watcher outside the control plane sees them (an informer
 * on the pods' change topic). Changes of different pods may arrive out of order across topic partitions, so
 * {@link #replay} puts them back in resourceVersion order, which is the order the store committed them in: each
 * replayed state is one the cluster was really in.
 */
public final class PodHistory implements WatchedPods, AutoCloseable {
    private record Change(long resourceVersion, String uid, Pod pod) {
    }

    private final List<Change> changes = new ArrayList<>();
    private final Informer<Pod> informer;

    public PodHistory(KubusApi api, String kafkaBootstrap, String labelSelector) throws InterruptedException {
        informer = Informer.builder(api, KafkaClientConfig.plaintext(kafkaBootstrap), ResourceTypes.PODS, Pod.class).namespace("default")
                .labelSelector(labelSelector).name("test-pods-" + labelSelector)
                .handler(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        record(pod, pod);
                    }

                    @Override
                    public void onUpdate(Pod old, Pod now) {
                        record(now, now);
                    }

                    @Override
                    public void onDelete(Pod last) {
                        record(last, null);
                    }
                }).build().start();
        if (!informer.awaitSynced(Duration.ofSeconds(30))) {
            throw new IllegalStateException("the pod watcher did not list within 30 s");
        }
    }

    private synchronized void record(Pod pod, Pod stateOrNull) {
        changes.add(new Change(Long.parseLong(pod.getMetadata().getResourceVersion()), pod.getMetadata().getUid(),
                stateOrNull));
    }

    /** The cluster's pods after each change, in commit order; the states before the watcher's list are skipped. */
    @Override
    public synchronized void replay(Consumer<Map<String, Pod>> check) {
        long listed = informer.listResourceVersion();
        Map<String, Pod> pods = new HashMap<>();
        for (Change c : changes.stream().sorted(Comparator.comparingLong(Change::resourceVersion)).toList()) {
            if (c.pod() == null) {
                pods.remove(c.uid());
            } else {
                pods.put(c.uid(), c.pod());
            }
            if (c.resourceVersion() > listed) {
                check.accept(pods);
            }
        }
    }

    /** The most active pods and the fewest available (active and ready) ones over the replayed states. */
    public record Extremes(int maxActive, int minAvailable, int states) {
    }

    public Extremes extremes() {
        int[] e = {0, Integer.MAX_VALUE, 0};
        replay(pods -> {
            int active = 0;
            int available = 0;
            for (Pod p : pods.values()) {
                if (PodStates.isActive(p)) {
                    active++;
                    if (PodStates.isReady(p)) {
                        available++;
                    }
                }
            }
            e[0] = Math.max(e[0], active);
            e[1] = Math.min(e[1], available);
            e[2]++;
        });
        return new Extremes(e[0], e[1], e[2]);
    }

    @Override
    public void close() {
        informer.close();
    }
}
