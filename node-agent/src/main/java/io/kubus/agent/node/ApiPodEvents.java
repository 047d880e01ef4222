package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.pod.PodEvents;
import io.kubus.client.api.KubusApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Records pod events through the gateway, off the sync loop: a slow or absent gateway never holds a pod back, and a
 * lost event is only a lost line in {@code kubectl describe}.
 */
final class ApiPodEvents implements PodEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ApiPodEvents.class);

    private final KubusApi api;
    private final String nodeName;
    private final ExecutorService executor;
    private final Set<String> once = ConcurrentHashMap.newKeySet();

    ApiPodEvents(KubusApi api, String nodeName, ExecutorService executor) {
        this.api = api;
        this.nodeName = nodeName;
        this.executor = executor;
    }

    @Override
    public void normal(Pod pod, String reason, String message) {
        record(pod, "Normal", reason, message);
    }

    @Override
    public void warning(Pod pod, String reason, String message) {
        record(pod, "Warning", reason, message);
    }

    @Override
    public void warningOnce(Pod pod, String reason, String message) {
        if (once.add(pod.getMetadata().getUid() + "|" + reason + "|" + message)) {
            record(pod, "Warning", reason, message);
        }
    }

    /** Forgets the once-only events of a pod that left the node. */
    void forget(String podUid) {
        once.removeIf(k -> k.startsWith(podUid + "|"));
    }

    private void record(Pod pod, String type, String reason, String message) {
        var ref = new ObjectReferenceBuilder().withKind("Pod").withApiVersion("v1")
                .withNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).build();
        executor.execute(() -> {
            try {
                api.createEvent(ref, type, reason, message, "kubelet");
            } catch (RuntimeException e) {
                LOG.debug("event {} for {} on {} not recorded: {}", reason, ref.getName(), nodeName, e.toString());
            }
        });
    }
}
