package io.kubus.agent.server;

import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.ContainerRuntime;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The container runtimes of the nodes this process hosts, by node name, and the lookup of a pod's containers in
 * them: what the agent's endpoints serve from. {@code NodeAgentService} registers each node's runtime.
 */
@Singleton
public class AgentRuntimes {
    private final Map<String, ContainerRuntime> byNode = new ConcurrentHashMap<>();

    public void register(String node, ContainerRuntime runtime) {
        byNode.put(node, runtime);
    }

    public void unregister(String node) {
        byNode.remove(node);
    }

    /**
     * The runs of one container of a pod, newest first (highest restart count), on whichever hosted node runs the
     * pod. When a pod of that name was deleted and created again, the newest pod's containers win.
     */
    public Optional<Runs> find(String namespace, String pod, String container) {
        Runs best = null;
        for (ContainerRuntime runtime : byNode.values()) {
            List<ContainerInfo> runs = new ArrayList<>();
            for (ContainerInfo c : runtime.list()) {
                if (!c.sandbox() && namespace.equals(c.namespace()) && pod.equals(c.podName())
                        && container.equals(c.name())) {
                    runs.add(c);
                }
            }
            if (runs.isEmpty()) {
                continue;
            }
            ContainerInfo newest = runs.stream().max(Comparator.comparing(ContainerInfo::createdAt,
                    Comparator.nullsFirst(Comparator.naturalOrder()))).orElseThrow();
            List<ContainerInfo> ofPod = runs.stream().filter(c -> c.podUid().equals(newest.podUid()))
                    .sorted(Comparator.comparingInt(ContainerInfo::restartCount).reversed()
                            .thenComparing(ContainerInfo::createdAt, Comparator.nullsLast(Comparator.reverseOrder())))
                    .toList();
            if (best == null || newer(ofPod.getFirst(), best.current())) {
                best = new Runs(runtime, ofPod);
            }
        }
        return Optional.ofNullable(best);
    }

    /** The sandbox of a pod (the newest, when a pod of that name was made again), with its runtime. */
    public Optional<Sandbox> sandbox(String namespace, String pod) {
        Sandbox best = null;
        for (ContainerRuntime runtime : byNode.values()) {
            for (ContainerInfo c : runtime.list()) {
                if (c.sandbox() && namespace.equals(c.namespace()) && pod.equals(c.podName())
                        && c.state() == ContainerInfo.State.RUNNING && (best == null || newer(c, best.info()))) {
                    best = new Sandbox(runtime, c);
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** A pod's sandbox and the runtime that holds it. */
    public record Sandbox(ContainerRuntime runtime, ContainerInfo info) {
    }

    private static boolean newer(ContainerInfo a, ContainerInfo b) {
        return a.createdAt() != null && (b.createdAt() == null || a.createdAt().isAfter(b.createdAt()));
    }

    /**
     * The runs of a container, newest first.
     *
     * @param runtime where they are
     * @param runs    at least one
     */
    public record Runs(ContainerRuntime runtime, List<ContainerInfo> runs) {
        public ContainerInfo current() {
            return runs.getFirst();
        }

        /** The run before the current one, as {@code kubectl logs --previous} asks for. */
        public Optional<ContainerInfo> previous() {
            int restarts = current().restartCount();
            return runs.stream().filter(c -> c.restartCount() < restarts).findFirst();
        }
    }
}
